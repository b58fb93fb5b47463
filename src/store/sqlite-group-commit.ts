// Group commit for SQLite. A commit writes every page the transaction dirtied to the WAL, one write
// per frame: on this kind of machine it cost more than the inserts of a POST /Users together. SQLite
// has one writer anyway, so transactions that arrive in the same turn of the event loop run one after
// another inside one SQLite transaction, each in its own SAVEPOINT: one that fails is rolled back to
// its savepoint alone, and none is answered before the shared COMMIT has succeeded.
import type { Kysely, Transaction } from 'kysely'
import type { Database } from './schema.js'

type Work<T> = (trx: Transaction<Database>) => Promise<T>

interface Job {
  readonly work: Work<unknown>
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

export function groupCommit(db: Kysely<Database>) {
  let queue: Job[] = []
  let scheduled = false

  async function runBatch(): Promise<void> {
    scheduled = false
    const jobs = queue
    queue = []
    if (jobs.length === 1) {
      // Alone: a plain transaction, no savepoint.
      const [job] = jobs as [Job]
      await db.transaction().execute(job.work).then(job.resolve, job.reject)
      return
    }
    const done: [Job, unknown][] = []
    try {
      const trx = await db.startTransaction().execute()
      try {
        for (const job of jobs) {
          const savepoint = await trx.savepoint('job').execute()
          try {
            done.push([job, await job.work(savepoint)])
            await savepoint.releaseSavepoint('job').execute()
          } catch (error) {
            await savepoint.rollbackToSavepoint('job').execute()
            await savepoint.releaseSavepoint('job').execute()
            job.reject(error)
          }
        }
        await trx.commit().execute()
      } catch (error) {
        await trx
          .rollback()
          .execute()
          .catch(() => {})
        throw error
      }
    } catch (error) {
      // The batch itself failed (BEGIN, a savepoint command or COMMIT): nothing of it was committed.
      // (A job already rejected with its own error keeps it: a promise settles once.)
      for (const job of jobs) job.reject(error)
      return
    }
    for (const [job, value] of done) job.resolve(value)
  }

  return function transaction<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
      if (scheduled) return
      scheduled = true
      // After the I/O callbacks of this turn, so requests that arrived together share a commit.
      setImmediate(() => void runBatch())
    })
  }
}
