// The overview: the guide's sections, each pointing at the console page where its steps are done.
import { Link } from '../router/router.tsx';
import { PageHeader } from '../ui/page.tsx';

const SECTIONS = [
  {
    title: 'Set up SMS OTP provider',
    text: 'Import the SMS provider\'s certificate (keytool -importcert … -alias "Nexmo").',
    to: '/truststore',
    link: 'Truststore',
  },
  {
    title: 'Configure the SMS OTP authenticator',
    text: 'Identity Providers › List › Edit smsOTP › Federated Authenticators › SMS OTP Configuration.',
    to: '/identity-providers',
    link: 'Identity Providers',
  },
  {
    title: 'Enable SMS OTP for an SP',
    text: 'Service Providers › Edit › Claim Configuration › Subject Claim URI.',
    to: '/applications',
    link: 'Service Providers',
  },
  {
    title: 'Configure SMS OTP as the second factor',
    text: 'Service Providers › Edit › Local & Outbound Authentication Configuration › Advanced Configuration.',
    to: '/applications',
    link: 'Service Providers',
  },
  {
    title: 'Allow users to disable SMS OTP',
    text: 'Claims › List › http://wso2.org/claims › Disable SMSOTP › Supported By Default.',
    to: '/claims',
    link: 'Claims',
  },
  {
    title: 'Configure backup codes',
    text: 'Claims › Add Local Claim (backupotp, mapped attribute postalcode), then the user profile.',
    to: '/claims/new',
    link: 'Add Local Claim',
  },
  {
    title: 'Users and Roles',
    text: 'User Profile: Mobile, Disable SMSOTP, backup codes; unlock; reset password.',
    to: '/users',
    link: 'Users',
  },
  { title: 'Audit log', text: 'Who logged in, how, and what the admins changed.', to: '/audit', link: 'Audit log' },
];

export function Home() {
  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Main' }, { label: 'Identity' }]}
        title="Stepgate Console"
        lead="Configure logins in steps: username and password first, then a one-time password by SMS."
      />
      <ul className="cards">
        {SECTIONS.map((s) => (
          <li key={s.title} className="card">
            <h2>{s.title}</h2>
            <p>{s.text}</p>
            <Link to={s.to}>{s.link} →</Link>
          </li>
        ))}
      </ul>
    </>
  );
}
