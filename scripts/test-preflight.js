#!/usr/bin/env node
// What `npm test` needs before vitest starts, made ready or named in one line. Plain Node (plus the `pg`
// client already in node_modules), so it runs before anything is built.
//
//   node scripts/test-preflight.js [postgres] [redis] [chromium]     (no argument: all three)
//
// - PostgreSQL (only when TEST_DIALECTS includes postgres): TEST_POSTGRES_URL, default
//   postgres://postgres@127.0.0.1:5432/test. Not answering on this machine but installed (Debian's
//   postgresql-common) → start the local cluster and wait for it; its database missing → create it.
//   Not installed → stop, saying how to point the tests at one.
// - Redis (the shared rate-limit test): TEST_REDIS_URL, default redis://127.0.0.1:6379. Not answering but
//   redis-server installed → start it as .ci/run does (no persistence, 127.0.0.1 only).
// - Chromium (the browser tests): CHROMIUM_PATH, default /usr/bin/chromium. Missing and running as root on
//   Debian → `apt-get install chromium`; otherwise stop, saying what to install.
// Nothing else is ever installed or started.
import { spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, mkdirSync, readdirSync } from 'node:fs'
import { connect } from 'node:net'
import pg from 'pg'

const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const dialects = process.env.TEST_DIALECTS?.split(',') ?? ['sqlite', 'postgres']
const isRoot = process.getuid?.() === 0

const notice = (line) => console.log(`test preflight: ${line}`)
function stop(line) {
  console.error(`test preflight: ${line}`)
  process.exit(1)
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0
const isLocal = (host) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)

/** Runs a command quietly; on failure prints its output and stops. */
function run(command, args, what) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`)
    stop(`${what} failed (${command} ${args.join(' ')}).`)
  }
}

async function waitFor(check, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await check()) return true
    await sleep(250)
  }
  return false
}

// --- PostgreSQL ------------------------------------------------------------------------------------

/** 'ok', 'no-database' (server up, database missing) or 'down'. */
async function postgresState(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    return 'ok'
  } catch (error) {
    return error.code === '3D000' ? 'no-database' : 'down'
  } finally {
    await client.end().catch(() => {})
  }
}

/** The Debian cluster (`pg_lsclusters`) listening on the port, e.g. ['15', 'main']. */
function localCluster(port) {
  if (!onPath('pg_ctlcluster') || !existsSync('/etc/postgresql')) return undefined
  const listed = spawnSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' })
  for (const line of listed.stdout?.split('\n') ?? []) {
    const [version, name, clusterPort] = line.trim().split(/\s+/)
    if (version && name && clusterPort === String(port)) return [version, name]
  }
  // As .ci/run does: the one installed version's main cluster.
  const versions = readdirSync('/etc/postgresql')
  return versions.length === 1 && port === 5432 ? [versions[0], 'main'] : undefined
}

async function postgres() {
  if (!dialects.includes('postgres')) return
  const url = new URL(POSTGRES_URL)
  const where = `${url.hostname}:${url.port || 5432}`
  let state = await postgresState(POSTGRES_URL)
  if (state === 'down') {
    const cluster = isLocal(url.hostname) ? localCluster(Number(url.port || 5432)) : undefined
    if (!cluster)
      stop(
        `no PostgreSQL answers at ${where} and no PostgreSQL cluster is installed here for that port: set TEST_POSTGRES_URL=postgres://user@host:5432/db, or TEST_DIALECTS=sqlite to test SQLite only.`,
      )
    notice(`PostgreSQL at ${where} is not running; starting the local cluster ${cluster.join('/')}.`)
    run('pg_ctlcluster', ['--skip-systemctl-redirect', ...cluster, 'start'], 'Starting PostgreSQL')
    const started = async () => {
      state = await postgresState(POSTGRES_URL)
      return state !== 'down'
    }
    if (!(await waitFor(started, 30))) stop(`PostgreSQL at ${where} did not answer within 30 s of starting.`)
  }
  if (state === 'no-database') {
    const database = decodeURIComponent(url.pathname.slice(1))
    notice(`creating the test database "${database}" at ${where}.`)
    const admin = new URL(POSTGRES_URL)
    admin.pathname = '/postgres'
    const client = new pg.Client({ connectionString: admin.href })
    await client.connect()
    await client.query(`create database "${database.replaceAll('"', '""')}"`)
    await client.end()
  }
}

// --- Redis -----------------------------------------------------------------------------------------

function redisAnswers(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 })
    let reply = ''
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk
      // +PONG, or -NOAUTH from a server with a password: either way a Redis is there.
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'))
    })
    socket.on('timeout', () => done(false))
    socket.on('error', () => done(false))
  })
}

async function redis() {
  const url = new URL(REDIS_URL)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const port = Number(url.port || 6379)
  if (await redisAnswers(host, port)) return
  if (!isLocal(url.hostname) || !onPath('redis-server'))
    stop(
      `no Redis answers at ${host}:${port} (the shared rate-limit test needs one): install redis-server, or set TEST_REDIS_URL=redis://host:6379.`,
    )
  notice(`Redis at ${host}:${port} is not running; starting redis-server (no persistence, ${host} only).`)
  const dir = isRoot ? '/var/lib/redis' : undefined
  if (dir) mkdirSync(dir, { recursive: true })
  if (isRoot) mkdirSync('/var/log/redis', { recursive: true })
  run(
    'redis-server',
    [
      '--daemonize',
      'yes',
      '--bind',
      host,
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      ...(dir ? ['--dir', dir, '--logfile', '/var/log/redis/test.log'] : []),
    ],
    'Starting Redis',
  )
  if (!(await waitFor(() => redisAnswers(host, port), 10)))
    stop(`Redis at ${host}:${port} did not answer within 10 s of starting.`)
}

// --- Chromium --------------------------------------------------------------------------------------

function executable(path) {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function chromium() {
  if (executable(CHROMIUM)) return
  if (process.env.CHROMIUM_PATH) stop(`CHROMIUM_PATH=${CHROMIUM} is not an executable.`)
  if (!isRoot || !onPath('apt-get'))
    stop(
      `no Chromium at ${CHROMIUM} (the browser tests need it): install Debian's package (sudo apt-get install chromium), or set CHROMIUM_PATH.`,
    )
  notice("installing Debian's chromium for the browser tests (apt-get install chromium; once, ~1 min).")
  // Waits for the dpkg lock rather than failing when another apt run holds it.
  const lock = ['-o', 'DPkg::Lock::Timeout=300']
  run('apt-get', [...lock, 'update', '-qq'], 'apt-get update')
  run('apt-get', [...lock, 'install', '-y', '-qq', 'chromium'], 'Installing chromium')
  if (!executable(CHROMIUM)) stop(`apt-get installed chromium but there is none at ${CHROMIUM}.`)
}

const wanted = process.argv.slice(2)
const all = wanted.length === 0
if (all || wanted.includes('postgres')) await postgres()
if (all || wanted.includes('redis')) await redis()
if (all || wanted.includes('chromium')) chromium()
