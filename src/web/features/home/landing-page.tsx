import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Card,
  Code,
  Container,
  Grid,
  Group,
  List,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  ThemeIcon,
  Title,
} from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import {
  IconArrowRight,
  IconBuildingBank,
  IconBuildingFactory,
  IconCertificate,
  IconChecklist,
  IconCode,
  IconFingerprint,
  IconHeartbeat,
  IconKey,
  IconLink,
  IconMicroscope,
  IconSchool,
  IconShieldHalfFilled,
  IconTool,
  IconUmbrella,
  type Icon,
} from '@tabler/icons-react'
import type { ReactNode } from 'react'
import type { Static } from 'typebox'
import type { SetupStatusSchema } from '../../../common/api/accounts.ts'
import { Link } from 'react-router'
import { useDocumentTitle } from '../../components/page.tsx'
import { api } from '../../lib/api.ts'
import { useSession } from '../../lib/session.ts'
import { areaPath, areaReservedFor, AREAS, isAreaLive } from './areas.ts'

type SetupStatus = Static<typeof SetupStatusSchema>

interface Audience {
  icon: Icon
  title: string
  lead: string
  jobs: string[]
}

const AUDIENCES: Audience[] = [
  {
    icon: IconBuildingFactory,
    title: 'Manufacturers',
    lead: 'Make the security you build in visible, and keep the label that proves it.',
    jobs: [
      'Register products and firmware versions; self-assess once against the framework',
      'Upload SBOMs and answer vulnerability findings with fixes or VEX',
      'Publish advisories through the network',
    ],
  },
  {
    icon: IconMicroscope,
    title: 'Test labs and certification bodies',
    lead: 'Accredited assessors review evidence and decide the tier.',
    jobs: [
      'Review assessments and evidence, record test results and findings',
      'Grant or refuse a tier, and state how strongly it was verified',
      'Suspend or revoke labels when the facts change',
    ],
  },
  {
    icon: IconTool,
    title: 'Operators and buyers',
    lead: 'See security at the point of sale, and keep an eye on what is installed.',
    jobs: [
      'Look products up in the public registry and verify a label by QR, file or API',
      'State procurement requirements and check offers against them',
      'Check an installed fleet against those requirements',
    ],
  },
  {
    icon: IconUmbrella,
    title: 'Insurers',
    lead: 'Price the security of products and fleets on evidence rather than questionnaires.',
    jobs: [
      'Risk scores for products and fleets through an API',
      'Underwriting reports and a portfolio view',
    ],
  },
  {
    icon: IconBuildingBank,
    title: 'Regulators and policy makers',
    lead: 'Watch the market, and test a lever before pulling it.',
    jobs: [
      'Market dashboards built on the live registry',
      'A policy lab to simulate labels, mandates, liability, tax and procurement rules',
      'Moderate the forum where approaches are debated',
    ],
  },
  {
    icon: IconSchool,
    title: 'Educators',
    lead: 'Help business and government leaders ask for security and recognise it.',
    jobs: [
      'Courses with quizzes that measure what was learnt, and certificates',
      'An organisational readiness self-assessment with a personal report',
      'Events and outreach campaigns',
    ],
  },
]

interface Capability {
  title: string
  text: string
  area: string
}

const CAPABILITIES: Capability[] = [
  {
    title: 'A normative framework',
    text: 'One machine-readable security baseline with four tiers and device-class profiles, mapped to ETSI EN 303 645, IEC 62443, NIST IR 8259 and 8425, the EU Cyber Resilience Act, UK PSTI and OWASP ISVS. Answer once, show compliance with many.',
    area: 'framework',
  },
  {
    title: 'Assessment and certification',
    text: 'Questionnaire assessments with hashed evidence, gap reports and compensating measures, reviewed by accredited assessors who record the tier and how it was verified: self-declared, document-reviewed or lab-tested.',
    area: 'products',
  },
  {
    title: 'Signed labels and a public registry',
    text: 'Each label is a signed record — tier, support period, update policy, security contact, SBOM availability, assessor — that anyone can check offline, with a QR code to its live public page.',
    area: 'registry',
  },
  {
    title: 'Vulnerability watch',
    text: 'SBOMs per firmware version are matched continuously against OSV, CSAF (including CISA ICS advisories) and the Known Exploited Vulnerabilities catalog. A label reacts by itself when a product is exposed, and recovers when it is fixed.',
    area: 'vulnerabilities',
  },
  {
    title: 'Incentives that pay for security',
    text: 'Risk scores and underwriting reports for insurers, procurement checks for buyers, fleet risk for operators, and evidence packs for liability safe harbours and tax-credit eligibility.',
    area: 'insurance',
  },
  {
    title: 'A policy lab',
    text: 'A validated simulation of the IIoT security market where regulators and members try levers and watch secure market share, prices, breaches, harm to others and welfare evolve.',
    area: 'policy-lab',
  },
  {
    title: 'Education and outreach',
    text: 'Courses for leaders with measured learning, a readiness self-assessment with a personal report, and events and campaigns that build demand for secure products.',
    area: 'learning',
  },
  {
    title: 'A forum for the network',
    text: 'Structured discussion of insurance, liability and tax approaches, self-regulation and public–private cooperation — with proposals that can change the framework through its governance.',
    area: 'forum',
  },
]

interface TrustPoint {
  icon: Icon
  title: string
  text: ReactNode
}

const TRUST: TrustPoint[] = [
  {
    icon: IconKey,
    title: 'Signatures you can check yourself',
    text: (
      <>
        Labels are signed records. Anyone can verify one offline against the network’s published
        public keys at <Code>/.well-known/jwks.json</Code> — no need to trust this server, or to be
        online.
      </>
    ),
  },
  {
    icon: IconHeartbeat,
    title: 'Live status, not a sticker',
    text: 'A label says what is true today. Its status follows new advisories and the end of a support period within minutes, and an offline verifier can check revocation too.',
  },
  {
    icon: IconLink,
    title: 'An audit trail that cannot be quietly edited',
    text: 'Every change that matters — sign-ins, role changes, accreditations, label decisions — is written to an append-only log in which each entry is chained to the previous one by its hash. Breaking the chain is detectable.',
  },
  {
    icon: IconCode,
    title: 'Machine-readable first',
    text: 'Every public object has a JSON form with a published schema and an API, so buyers, insurers and regulators can automate their checks — and a page for people who prefer to look.',
  },
  {
    icon: IconFingerprint,
    title: 'Secure by default',
    text: 'No default passwords, two-factor sign-in, deny-by-default permissions, scoped API tokens shown only once. A safety network that is itself insecure would defeat its purpose.',
  },
  {
    icon: IconShieldHalfFilled,
    title: 'Open source, run anywhere',
    text: 'The platform is one open-source application that any network operator can run — on a single machine for a pilot, or on PostgreSQL with several instances as a network grows.',
  },
]

const LABEL_FIELDS = [
  'Product version and security tier',
  'Support period end and update policy',
  'Security contact and SBOM availability',
  'Framework version and assessor',
  'Issue date and current status',
]

function Hero() {
  const session = useSession().data
  return (
    <Paper className="hero" radius="lg" p={{ base: 'lg', sm: 40 }}>
      <Grid gutter="xl" align="center">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="lg">
            <Badge variant="white" color="indigo" size="lg" w="fit-content">
              Industrial IoT security
            </Badge>
            <Title order={1} c="white" fz={{ base: 32, sm: 44 }} lh={1.15}>
              Security that buyers can see and anyone can verify
            </Title>
            <Text size="lg" c="gray.2">
              The IIoT Safety Network brings manufacturers, test labs, operators, insurers,
              regulators and educators together around one security framework, signed product labels
              and a live public registry — so that building security in finally pays off.
            </Text>
            <Group gap="sm">
              {session ? (
                <Button
                  component={Link}
                  to="/organisations"
                  size="md"
                  variant="white"
                  color="indigo"
                  rightSection={<IconArrowRight size={18} aria-hidden />}
                >
                  Go to your organisations
                </Button>
              ) : (
                <Button
                  component={Link}
                  to="/sign-in"
                  size="md"
                  variant="white"
                  color="indigo"
                  rightSection={<IconArrowRight size={18} aria-hidden />}
                >
                  Member sign-in
                </Button>
              )}
              <Button
                component="a"
                href="#trust"
                size="md"
                variant="outline"
                color="gray.0"
                styles={{ root: { color: 'white', borderColor: 'rgba(255,255,255,0.6)' } }}
              >
                How trust is verified
              </Button>
            </Group>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card
            radius="md"
            p="lg"
            bg="rgba(255,255,255,0.08)"
            withBorder
            style={{ borderColor: 'rgba(255,255,255,0.2)' }}
          >
            <Group gap="sm" mb="sm">
              <ThemeIcon variant="white" color="indigo" radius="xl" aria-hidden>
                <IconCertificate size={18} />
              </ThemeIcon>
              <Text fw={700} c="white">
                What a signed label records
              </Text>
            </Group>
            <List spacing={6} size="sm" c="gray.1" icon={<IconChecklist size={16} aria-hidden />}>
              {LABEL_FIELDS.map((field) => (
                <List.Item key={field}>{field}</List.Item>
              ))}
            </List>
            <Text size="xs" c="gray.3" mt="md">
              Signed by the network, checkable offline, linked by QR code to a live public page.
            </Text>
          </Card>
        </Grid.Col>
      </Grid>
    </Paper>
  )
}

function JoinAction() {
  const session = useSession().data
  return session ? (
    <Button component={Link} to="/organisations" size="md" variant="light">
      Your organisations
    </Button>
  ) : (
    <Button component={Link} to="/sign-in" size="md" variant="light">
      Go to sign-in
    </Button>
  )
}

function SetupNotice() {
  const setup = useQuery({
    queryKey: ['setup'],
    queryFn: () => api.get<SetupStatus>('/setup'),
    staleTime: 60_000,
    retry: false,
  })
  if (!setup.data?.needsSetup) return null
  return (
    <Alert
      color="orange"
      title="This platform is not set up yet"
      styles={{ label: { color: 'var(--mantine-color-text)' } }}
    >
      No network administrator exists. Open the one-time set-up link that the server printed when it
      first started, or create a new link from a shell with <Code>isn admin create</Code>.
    </Alert>
  )
}

function Section({
  id,
  eyebrow,
  title,
  lead,
  children,
}: {
  id: string
  eyebrow: string
  title: string
  lead?: ReactNode
  children: ReactNode
}) {
  return (
    <Box
      component="section"
      aria-labelledby={`${id}-title`}
      id={id}
      style={{ scrollMarginTop: 80 }}
    >
      <Stack gap="lg">
        <Stack gap={6} maw={760}>
          <Text tt="uppercase" fw={700} size="sm" c="indigo">
            {eyebrow}
          </Text>
          <Title order={2} id={`${id}-title`}>
            {title}
          </Title>
          {lead && (
            <Text size="lg" c="dimmed" component="div">
              {lead}
            </Text>
          )}
        </Stack>
        {children}
      </Stack>
    </Box>
  )
}

export function LandingPage() {
  useDocumentTitle(undefined)
  const session = useSession().data
  return (
    <Container size="xl" px={0}>
      <Stack gap={56} pb="xl">
        <Stack gap="md">
          <SetupNotice />
          <Hero />
        </Stack>

        <Section
          id="why"
          eyebrow="Why a network"
          title="Today the cheapest, least secure device wins"
          lead="Three market failures keep insecure devices on the market. The network works on all three."
        >
          <SimpleGrid cols={{ base: 1, md: 3 }} spacing="lg">
            {[
              {
                title: 'Buyers cannot see security',
                text: 'At the point of sale a secure device and an insecure one look the same, so buyers pay for neither. Labels they can check, and leaders who know what to ask for, change that.',
              },
              {
                title: 'The damage falls on others',
                text: 'Botnets, outages and safety incidents hurt people who never bought the device. A shared baseline and credible assessment set a floor that everyone can point to.',
              },
              {
                title: 'Nothing prices the risk',
                text: 'Liability, insurance and tax rarely reward the maker who invests in security. Evidence that insurers, buyers and regulators can use turns that investment into an advantage.',
              },
            ].map((item) => (
              <Paper key={item.title} withBorder p="lg" radius="md">
                <Title order={3} size="h4" mb="xs">
                  {item.title}
                </Title>
                <Text c="dimmed">{item.text}</Text>
              </Paper>
            ))}
          </SimpleGrid>
        </Section>

        <Section
          id="audiences"
          eyebrow="Who it is for"
          title="One network, six kinds of member"
          lead="Each member organisation has a type that decides what it does on the platform. The public needs no account to search the registry or verify a label."
        >
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="lg">
            {AUDIENCES.map((audience) => (
              <Card key={audience.title} withBorder radius="md" p="lg">
                <Group gap="sm" mb="sm" wrap="nowrap">
                  <ThemeIcon size={40} radius="md" variant="light" aria-hidden>
                    <audience.icon size={22} />
                  </ThemeIcon>
                  <Title order={3} size="h4">
                    {audience.title}
                  </Title>
                </Group>
                <Text fw={500} mb="xs">
                  {audience.lead}
                </Text>
                <List size="sm" spacing={4} c="dimmed">
                  {audience.jobs.map((job) => (
                    <List.Item key={job}>{job}</List.Item>
                  ))}
                </List>
              </Card>
            ))}
          </SimpleGrid>
        </Section>

        <Section
          id="capabilities"
          eyebrow="What the platform does"
          title="Eight capabilities, one mission"
          lead={
            <>
              The framework, assessments with accredited review, signed labels with their public
              registry, and the vulnerability watch that keeps each label&apos;s status live work
              today, on top of organisations, two-factor sign-in, API tokens and a tamper-evident
              audit log. The capabilities marked &ldquo;Coming soon&rdquo; are being built in the
              open; each links to a page that says what it will do.
            </>
          }
        >
          <SimpleGrid cols={{ base: 1, sm: 2, xl: 4 }} spacing="lg">
            {CAPABILITIES.map((capability, index) => {
              const area = AREAS.find((a) => a.slug === capability.area)
              const live = area !== undefined && isAreaLive(area, session)
              // Built, for members of other organisations (products: manufacturers).
              const reservedFor = area && areaReservedFor(area, session)
              return (
                <Card key={capability.title} withBorder radius="md" p="lg">
                  <Stack gap="xs" h="100%">
                    <Group justify="space-between" wrap="nowrap">
                      <ThemeIcon size={36} radius="xl" variant="filled" aria-hidden>
                        <Text fw={700} size="sm" c="white">
                          {index + 1}
                        </Text>
                      </ThemeIcon>
                      {live ? (
                        <Badge variant="light" color="teal">
                          Available
                        </Badge>
                      ) : reservedFor ? (
                        <Badge variant="light" color="indigo">
                          For {reservedFor}
                        </Badge>
                      ) : (
                        <Badge variant="light" color="gray">
                          Coming soon
                        </Badge>
                      )}
                    </Group>
                    <Title order={3} size="h5">
                      {capability.title}
                    </Title>
                    <Text size="sm" c="dimmed" style={{ flexGrow: 1 }}>
                      {capability.text}
                    </Text>
                    {area && (
                      <Anchor component={Link} to={areaPath(area, session)} size="sm" fw={600}>
                        {live || reservedFor
                          ? `Open the ${area.title.toLowerCase()}`
                          : `More about ${area.title.toLowerCase()}`}
                      </Anchor>
                    )}
                  </Stack>
                </Card>
              )
            })}
          </SimpleGrid>
        </Section>

        <Section
          id="trust"
          eyebrow="Verifiable trust"
          title="Trust is verified, not asserted"
          lead="Every public claim the network makes — a label, its status, an advisory, the audit trail — can be checked by someone who does not trust the server."
        >
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="lg">
            {TRUST.map((point) => (
              <Group key={point.title} align="flex-start" wrap="nowrap" gap="md">
                <ThemeIcon size={44} radius="md" variant="light" color="teal" aria-hidden>
                  <point.icon size={24} />
                </ThemeIcon>
                <Stack gap={4}>
                  <Title order={3} size="h5">
                    {point.title}
                  </Title>
                  <Text size="sm" c="dimmed" component="div">
                    {point.text}
                  </Text>
                </Stack>
              </Group>
            ))}
          </SimpleGrid>
        </Section>

        <Paper withBorder radius="lg" p={{ base: 'lg', sm: 'xl' }}>
          <Group justify="space-between" gap="lg">
            <Stack gap={4} maw={640}>
              <Title order={2} size="h3">
                Joining the network
              </Title>
              <Text c="dimmed">
                The network’s administrators admit member organisations and invite their first
                people; each organisation’s administrators then invite their own colleagues. If your
                organisation is a member, sign in with the email address you were invited with.
              </Text>
            </Stack>
            <JoinAction />
          </Group>
        </Paper>

        <Text component="footer" size="sm" c="dimmed" ta="center">
          IIoT Safety Network — an open-source platform that any network operator can run.
        </Text>
      </Stack>
    </Container>
  )
}
