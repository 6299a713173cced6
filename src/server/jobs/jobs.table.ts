import type { Generated, Selectable } from 'kysely'

export interface JobTable {
  id: Generated<number>
  task: string
  /** JSON payload. */
  payload: string
  status: 'queued' | 'running' | 'done' | 'failed'
  run_at: string
  attempts: number
  max_attempts: number
  locked_by: string | null
  locked_until: string | null
  last_error: string | null
  /** At most one queued or running job per key (null: no limit). */
  unique_key: string | null
  created_at: string
  finished_at: string | null
}
export type JobRow = Selectable<JobTable>

export interface JobScheduleTable {
  name: string
  task: string
  interval_seconds: number
  next_run_at: string
  last_run_at: string | null
}
