/**
 * The HTTP side of a front door. The login pages run the steps of a login whatever protocol started it; when the
 * steps end they hand the result to the front door that owns the login (the transaction records its protocol),
 * and that front door answers the application in its own protocol.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoginCompletion, LoginProtocol, LoginRefusal } from '../authn/front-door.js';

/** How the login pages send the browser back: a redirect (OIDC), or a page of their own (SAML's auto-posting form). */
export type FrontDoorAnswer = { redirect: string } | { html: string; status?: number };

export interface FrontDoor {
  protocol: LoginProtocol;
  /** true when this browser holds this login (OIDC: oidc-provider's interaction cookie; SAML: its own signed cookie) */
  holds(req: IncomingMessage, res: ServerResponse, loginId: string): Promise<boolean>;
  /** every step passed: answer the application */
  complete(req: IncomingMessage, res: ServerResponse, completion: LoginCompletion): Promise<FrontDoorAnswer>;
  /** the login ends without a user: answer the application with the protocol's error */
  refuse(req: IncomingMessage, res: ServerResponse, refusal: LoginRefusal): Promise<FrontDoorAnswer>;
  /**
   * where a browser goes after its login was completed by another submission, when the answer was a redirect that
   * was not remembered yet (OIDC: oidc-provider's resume URL). Absent (SAML): the browser gets a page saying the
   * login is already complete, never a second answer to the application.
   */
  resumeUrl?(loginId: string): string;
}

export interface FrontDoors {
  get(protocol: LoginProtocol): FrontDoor | undefined;
  add(door: FrontDoor): void;
}

export function createFrontDoors(): FrontDoors {
  const doors = new Map<LoginProtocol, FrontDoor>();
  return {
    get: (protocol) => doors.get(protocol),
    add(door) {
      doors.set(door.protocol, door);
    },
  };
}
