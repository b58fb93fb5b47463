// oidc-provider 8 (the last line that runs on Node 20) ships no types: the little the tests use.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'

  interface Context {
    path: string
    body: unknown
  }
  interface Account {
    accountId: string
    claims(): Promise<Record<string, unknown>>
  }
  export default class Provider {
    constructor(
      issuer: string,
      configuration: Record<string, unknown> & {
        findAccount?(ctx: unknown, id: string): Promise<Account | undefined>
      },
    )
    use(middleware: (ctx: Context, next: () => Promise<void>) => Promise<void>): void
    callback(): (req: IncomingMessage, res: ServerResponse) => void
  }
}
