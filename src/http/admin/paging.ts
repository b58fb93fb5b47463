// Query-string paging shared by the admin list endpoints.
import { z } from 'zod'

export const MAX_PAGE = 200

export const paging = {
  limit: z.coerce.number('Enter a number.').int().min(1).max(MAX_PAGE).default(50),
  offset: z.coerce.number('Enter a number.').int().min(0).default(0),
}

/** An optional search text; blank means no search. */
export const searchText = z
  .string()
  .trim()
  .max(200, 'Use at most 200 characters.')
  .optional()
  .transform((v) => v || undefined)
