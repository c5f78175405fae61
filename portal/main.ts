import { portalOptionsFromEnv } from './config.ts';
import { startPortal } from './server.ts';

/**
 * The portal's own process: `npm start` forks it beside the platform (portal/beside.ts), and it
 * can run alone (`node bin/run-ts.js portal/main.ts` with the PORTAL_* variables). It tells its
 * parent when it listens, and stops on SIGINT/SIGTERM or when its parent goes away.
 */
const running = await startPortal(portalOptionsFromEnv()).catch((error: unknown) => {
  console.error('portal: could not start:', error);
  process.exit(1);
});
process.send?.({ type: 'ready', url: running.url, clientId: running.clientId });

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  running.stop().then(
    () => process.exit(code),
    () => process.exit(1),
  );
}
process.on('SIGINT', () => stop());
process.on('SIGTERM', () => stop());
process.on('disconnect', () => stop());
