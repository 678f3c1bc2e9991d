// The console's entry: finishes a login on /console/callback, starts one when there is no token, then renders.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { accessToken, finishLogin, LoginError, startLogin, wasSignedOut } from './auth/session.ts';
import { SignedOut, SignInProblem } from './pages/SignIn.tsx';
import { navigate, RouterProvider } from './router/router.tsx';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

function render(node: React.ReactNode) {
  root.render(<StrictMode>{node}</StrictMode>);
}

async function boot(): Promise<void> {
  if (location.pathname === '/console/callback') {
    try {
      const returnTo = await finishLogin();
      navigate(returnTo === '/callback' ? '/' : returnTo, { replace: true });
    } catch (e) {
      const err = e instanceof LoginError ? e : new LoginError(e instanceof Error ? e.message : String(e));
      history.replaceState(null, '', '/console/');
      render(<SignInProblem error={err} />);
      return;
    }
  } else if (!accessToken()) {
    if (wasSignedOut()) {
      render(<SignedOut />);
      return;
    }
    await startLogin();
    return;
  }
  render(
    <RouterProvider>
      <App />
    </RouterProvider>,
  );
}

void boot();
