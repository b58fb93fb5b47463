// `npm start`: serve Muster with the configuration from the environment.
import { runCli } from './cli.js'

process.exitCode = await runCli(['serve'])
