// What the console shows outside a session: after signing out, and when a sign-in went wrong.

import type { LoginError } from '../auth/session.ts';
import { startLogin } from '../auth/session.ts';

function Shell({ children }: { children: React.ReactNode }) {
  return (
    <main id="main" className="standalone">
      <div className="card narrow">
        <p className="brand-line">
          <span className="logo" aria-hidden="true">
            ◆
          </span>{' '}
          Stepgate Console
        </p>
        {children}
      </div>
    </main>
  );
}

export function SignedOut() {
  return (
    <Shell>
      <h1>You are signed out</h1>
      <p>You signed out of the Stepgate console.</p>
      <button type="button" onClick={() => void startLogin('/')}>
        Sign in again
      </button>
    </Shell>
  );
}

export function SignInProblem({ error }: { error: LoginError }) {
  return (
    <Shell>
      <h1>Sign-in did not complete</h1>
      <div className="alert error" role="alert">
        <p>
          <strong>{error.message}</strong>
        </p>
        {error.description && <p>{error.description}</p>}
      </div>
      <button type="button" onClick={() => void startLogin('/')}>
        Try again
      </button>
    </Shell>
  );
}
