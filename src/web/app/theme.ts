import { Alert, createTheme, Notification, type CSSVariablesResolver } from '@mantine/core'

// Shade 9 in the light scheme keeps white-on-colour buttons and coloured text at WCAG AA contrast
// (Mantine's default shade 6 is about 3:1 for most colours).
export const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: { light: 9, dark: 8 },
  defaultRadius: 'md',
  cursorType: 'pointer',
  headings: { fontWeight: '700' },
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  fontFamilyMonospace:
    'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace',
  components: {
    // Mantine makes every Alert an assertive live region; only errors should interrupt a screen
    // reader (they pass role="alert" themselves), the rest are notes.
    Alert: Alert.extend({ defaultProps: { role: 'note' } }),
    // The close button of a notification has only an icon; give it a name.
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss notification' } },
    }),
  },
})

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  // Mantine's "dimmed" grey is 3.3:1 on white; gray-7 reads at 8:1. Yellow text on its light
  // background (warning alerts, badges) is 2.7:1 even at shade 9; this brown reads at 6:1.
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-yellow-light-color': '#8a4d00',
  },
  dark: {},
})
