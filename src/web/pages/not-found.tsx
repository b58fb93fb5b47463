import { PageHeader } from '../components/ui'
import { HOME, Link } from '../router'

export function NotFoundPage() {
  return (
    <PageHeader title="Page not found">
      There is nothing at this address. <Link href={HOME}>Go to API keys</Link>.
    </PageHeader>
  )
}
