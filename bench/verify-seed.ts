// Real labels for the verification benchmarks (bench/verify.ts, bench/verify-offline.ts): issued
// through the label service with the network's own signing key, some of them then suspended or
// revoked through the same service, so that the status lists and the live status are real too.
import type { Label } from '../src/common/api/labels.ts'
import type { Ctx } from '../src/server/kernel/context.ts'

type Services = typeof import('../src/server/modules/labels/labels.service.ts')
type Testing = typeof import('../src/server/modules/labels/testing.ts')
type Actor = typeof import('../src/server/kernel/actor.ts')

export type ExpectedStatus = 'active' | 'suspended' | 'revoked'

export interface SeededLabel {
  id: string
  jws: string
  status: ExpectedStatus
}

/** Every `suspendEvery`-th label is suspended and every `revokeEvery`-th (offset by one) revoked. */
export interface SeedPlan {
  count: number
  suspendEvery: number
  revokeEvery: number
}

const pad = (n: number) => String(n).padStart(5, '0')

/**
 * Issues `plan.count` labels through `issueLabel` (each signed, stored, audited) and changes the
 * status of some through `changeLabelStatus`. `root` is the checkout whose services are used, so
 * that `--root` measures a platform seeded by its own code.
 */
export async function seedLabels(
  root: string,
  ctx: Pick<Ctx, 'db' | 'clock' | 'box' | 'config'>,
  plan: SeedPlan,
  progress?: (done: number) => void,
): Promise<SeededLabel[]> {
  const services = (await import(`${root}/src/server/modules/labels/labels.service.ts`)) as Services
  const testing = (await import(`${root}/src/server/modules/labels/testing.ts`)) as Testing
  const { systemActor } = (await import(`${root}/src/server/kernel/actor.ts`)) as Actor
  const who = { actor: systemActor('bench') }
  const labels: SeededLabel[] = []
  for (let i = 0; i < plan.count; i++) {
    const base = testing.sampleLabelInput()
    const label: Label = await services.issueLabel(ctx, who, {
      ...base,
      product: {
        ...base.product,
        productId: `bench-product-${pad(i)}`,
        productVersionId: `bench-product-${pad(i)}-v1`,
        name: `FieldSense ${pad(i)}`,
        modelNumbers: [`FS-${pad(i)}`],
      },
      tier: ((i % 4) + 1) as 1 | 2 | 3 | 4,
    })
    let status: ExpectedStatus = 'active'
    if (i % plan.suspendEvery === plan.suspendEvery - 1) status = 'suspended'
    else if (i % plan.revokeEvery === plan.revokeEvery - 2) status = 'revoked'
    if (status !== 'active') {
      await services.changeLabelStatus(
        ctx,
        who,
        label.id,
        status === 'suspended' ? 'suspend' : 'revoke',
        'Benchmark',
      )
    }
    labels.push({ id: label.id, jws: label.jws, status })
    if (progress && (i + 1) % 1000 === 0) progress(i + 1)
  }
  return labels
}

/** The JWKS and both signed status lists, as an offline verifier saves them. */
export async function offlineFiles(
  root: string,
  ctx: Pick<Ctx, 'db' | 'clock' | 'box' | 'config'>,
): Promise<{ jwks: string; revocation: string; suspension: string }> {
  const testing = (await import(`${root}/src/server/modules/labels/testing.ts`)) as Testing
  const material = await testing.offlineMaterial(ctx)
  return {
    jwks: JSON.stringify(material.jwks),
    revocation: material.jwts.revocation,
    suspension: material.jwts.suspension,
  }
}

/** A label with one claim changed after signing (the signature no longer holds). */
export function tampered(jws: string): string {
  const [header, payload, signature] = jws.split('.')
  const record = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as {
    tier: number
  }
  const changed = Buffer.from(JSON.stringify({ ...record, tier: 4 })).toString('base64url')
  return `${header}.${changed}.${signature}`
}
