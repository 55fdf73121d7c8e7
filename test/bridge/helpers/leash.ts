// Runs one child program on a leash: it dies when the test process that
// started us goes away (our stdin closes), when its deadline passes, or when
// we are told to stop (SIGTERM is passed on; SIGUSR1 kills the child hard). So nothing
// a test starts (socat, a card, an authority) outlives the test run.
//
//   node leash.js <deadline seconds> <program> [args...]
import { spawn } from 'node:child_process';

const [deadline, cmd, ...args] = process.argv.slice(2);
if (!deadline || !cmd) {
  process.stderr.write('usage: leash <deadline-seconds> <program> [args...]\n');
  process.exit(2);
}
const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const kill = (sig: NodeJS.Signals): void => {
  if (child.exitCode === null && child.signalCode === null) child.kill(sig);
};
child.on('exit', (code, sig) => process.exit(code ?? (sig ? 128 + 9 : 1)));
child.on('error', (e) => {
  process.stderr.write(`leash: ${e.message}\n`);
  process.exit(127);
});
process.stdin.on('data', () => undefined);
process.stdin.on('close', () => kill('SIGKILL'));
process.stdin.on('end', () => kill('SIGKILL'));
process.on('SIGTERM', () => kill('SIGTERM'));
process.on('SIGINT', () => kill('SIGTERM'));
// A hard stop of the child (power cut, cable pulled) without losing the leash.
process.on('SIGUSR1', () => kill('SIGKILL'));
setTimeout(() => kill('SIGKILL'), Number(deadline) * 1000).unref();
