// Local & Outbound Authentication Configuration › Advanced Configuration: steps, each with local and federated options.
import { useState } from 'react';
import { ApiError } from '../../api/client.ts';
import type { AuthenticationStep, AuthenticatorInfo, IdentityProvider, SequenceOption } from '../../api/types.ts';
import { Link } from '../../router/router.tsx';
import { useFormErrors } from '../../ui/form-errors.tsx';
import type { Choice } from '../../ui/forms.tsx';
import { SelectField } from '../../ui/forms.tsx';
import { belongsTo, problemsFor } from '../../ui/problems.ts';
import { asSentence } from '../../ui/sentence.ts';
import { move, optionLabel, sameOption } from './sequence.ts';

interface Props {
  steps: AuthenticationStep[];
  onChange(steps: AuthenticationStep[]): void;
  authenticators: AuthenticatorInfo[];
  identityProviders: IdentityProvider[];
  error: unknown;
}

const SEP = '\u001f';

function federatedChoices(authenticators: AuthenticatorInfo[], idps: IdentityProvider[]): Choice[] {
  const federated = authenticators.filter((a) => a.kind === 'federated');
  const out: Choice[] = [];
  for (const idp of idps) {
    if (!idp.enabled) continue;
    const usable = idp.authenticators.filter((c) => c.enabled && federated.some((f) => f.id === c.type));
    for (const c of usable) {
      const name = federated.find((f) => f.id === c.type)?.displayName ?? c.type;
      out.push({ value: `${idp.name}${SEP}${c.type}`, label: usable.length > 1 ? `${idp.name} (${name})` : idp.name });
    }
  }
  return out;
}

/** Pick an authenticator and add it to the step. */
function Adder({
  id,
  label,
  choices,
  placeholder,
  onAdd,
}: {
  id: string;
  label: string;
  choices: Choice[];
  placeholder: string;
  onAdd(value: string): void;
}) {
  const [value, setValue] = useState('');
  return (
    <div className="adder">
      <SelectField
        id={id}
        label={label}
        value={value}
        onChange={setValue}
        choices={choices}
        placeholder={placeholder}
      />
      <button
        type="button"
        className="secondary"
        disabled={!value}
        onClick={() => {
          onAdd(value);
          setValue('');
        }}
      >
        + Add Authenticator
      </button>
    </div>
  );
}

function StepEditor({
  index,
  step,
  count,
  props,
}: {
  index: number;
  step: AuthenticationStep;
  count: number;
  props: Props;
}) {
  const locals = props.authenticators
    .filter((a) => a.kind === 'local')
    .map((a) => ({ value: a.id, label: a.displayName }));
  const feds = federatedChoices(props.authenticators, props.identityProviders);
  const field = `steps[${index}]`;
  const edited = useFormErrors().isEdited('steps');
  const errors =
    props.error instanceof ApiError && !edited
      ? (props.error.problem.errors ?? []).filter((e) => belongsTo(e.field, field))
      : [];
  const errorId = errors.length > 0 ? `step-${index}-error` : undefined;

  const update = (next: AuthenticationStep) => props.onChange(props.steps.map((s, i) => (i === index ? next : s)));
  const add = (option: SequenceOption) => {
    if (step.options.some((o) => sameOption(o, option))) return;
    update({ options: [...step.options, option] });
  };
  const label = `Step ${index + 1}`;

  return (
    <li className={`step${errors.length ? ' invalid' : ''}`}>
      <fieldset aria-describedby={errorId}>
        <legend>{label}</legend>
        {errors.length > 0 && (
          <p className="field-error" id={errorId}>
            {errors.map((e) => asSentence(e.message)).join(' ')}
          </p>
        )}
        {step.options.length === 0 ? (
          <p className="muted">No authenticator yet: add a local or a federated authenticator below.</p>
        ) : (
          <ul className="options" aria-label={`Authenticators of step ${index + 1}`}>
            {step.options.map((o, j) => (
              <li key={`${o.authenticator}-${o.idp ?? ''}`} className="option">
                <span className="option-name">{optionLabel(o, props.authenticators)}</span>
                <span className="muted small">
                  {o.idp
                    ? `federated · ${props.authenticators.find((a) => a.id === o.authenticator)?.displayName ?? o.authenticator}`
                    : 'local'}
                </span>
                {j > 0 && <span className="or">or</span>}
                <button
                  type="button"
                  className="link-button danger"
                  aria-label={`Remove ${optionLabel(o, props.authenticators)} from step ${index + 1}`}
                  onClick={() => update({ options: step.options.filter((_, k) => k !== j) })}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="adders">
          <Adder
            id={`step-${index}-local`}
            label="Local Authenticator"
            choices={locals}
            placeholder="Select…"
            onAdd={(authenticator) => add({ authenticator })}
          />
          <Adder
            id={`step-${index}-federated`}
            label="Federated Authenticator"
            choices={feds}
            placeholder={feds.length ? 'Select…' : 'None configured'}
            onAdd={(choice) => {
              const [idp, authenticator] = choice.split(SEP) as [string, string];
              add({ authenticator, idp });
            }}
          />
        </div>
        <div className="step-actions">
          <button
            type="button"
            className="link-button"
            disabled={index === 0}
            aria-label={`Move step ${index + 1} up`}
            onClick={() => props.onChange(move(props.steps, index, index - 1))}
          >
            ↑ Move up
          </button>
          <button
            type="button"
            className="link-button"
            disabled={index === count - 1}
            aria-label={`Move step ${index + 1} down`}
            onClick={() => props.onChange(move(props.steps, index, index + 1))}
          >
            ↓ Move down
          </button>
          <button
            type="button"
            className="link-button danger"
            aria-label={`Remove step ${index + 1}`}
            onClick={() => props.onChange(props.steps.filter((_, i) => i !== index))}
          >
            Remove step
          </button>
        </div>
      </fieldset>
    </li>
  );
}

export function AuthenticationSequence(given: Props) {
  const form = useFormErrors();
  // any change to the sequence clears its errors: they were about the sequence that was saved
  const props: Props = {
    ...given,
    onChange: (steps) => {
      form.markEdited('steps');
      given.onChange(steps);
    },
  };
  const general = form.isEdited('steps')
    ? []
    : problemsFor(props.error, 'steps').filter((m) => {
        const all = props.error instanceof ApiError ? (props.error.problem.errors ?? []) : [];
        return all.some((e) => e.field === 'steps' && e.message === m);
      });
  const feds = federatedChoices(props.authenticators, props.identityProviders);
  return (
    <div className="sequence">
      <h3 id="advanced-configuration" tabIndex={-1}>
        Advanced Configuration
      </h3>
      <p className="muted">
        The user passes the steps in order; a step with several authenticators is passed by any one of them.
      </p>
      {general.length > 0 && <p className="field-error">{general.map((m) => asSentence(m)).join(' ')}</p>}
      {feds.length === 0 && (
        <p className="hint-box">
          No federated authenticator is available: configure and enable one in an identity provider (
          <Link to="/identity-providers">Identity Providers › List</Link>), for example SMS OTP in <code>smsOTP</code>.
        </p>
      )}
      <ol className="steps">
        {props.steps.map((s, i) => (
          <StepEditor
            // biome-ignore lint/suspicious/noArrayIndexKey: steps have no ids; the key also carries the step's options, so a reorder remounts with the right data
            key={`${i}-${s.options.map((o) => `${o.idp ?? ''}${o.authenticator}`).join(',')}`}
            index={i}
            step={s}
            count={props.steps.length}
            props={props}
          />
        ))}
      </ol>
      <button type="button" className="secondary" onClick={() => props.onChange([...props.steps, { options: [] }])}>
        + Add Authentication Step
      </button>
    </div>
  );
}
