/** The 6-digit code an authenticator app shows, as the account page and the step-up prompt ask for it. */
export function AppCodeInput({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <input
      name="code"
      value={value}
      onChange={(event) => onChange(event.target.value)}
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9 ]{6,7}"
      title="the 6-digit code the app shows now"
      required
    />
  );
}
