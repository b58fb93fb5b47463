// Copies a value to the clipboard, and says "Copied" only when the copy really happened. The async
// Clipboard API exists only on HTTPS and localhost and may be denied; then the older execCommand path
// is tried. When both fail the person is told, and the text beside the button is selected for them.
import { useEffect, useRef, useState } from 'react'

async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text)
      return true
    } catch {
      // Denied (permissions, no focus): fall through to execCommand.
    }
  }
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.style.position = 'fixed'
  area.style.opacity = '0'
  const active = document.activeElement as HTMLElement | null
  document.body.append(area)
  area.select()
  let ok = false
  try {
    ok = document.execCommand('copy')
  } catch {
    ok = false
  }
  area.remove()
  active?.focus()
  return ok
}

/** The text field the button copies from: the input in the same `.copy-row`. */
function selectBeside(button: HTMLButtonElement | null) {
  const input = button?.closest('.copy-row')?.querySelector<HTMLInputElement>('input, textarea')
  if (!input) return
  input.focus()
  input.select()
}

export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  const button = useRef<HTMLButtonElement>(null)
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined)
  useEffect(() => () => clearTimeout(timer.current), [])
  const copy = async () => {
    const ok = await copyText(value)
    setState(ok ? 'copied' : 'failed')
    clearTimeout(timer.current)
    if (ok) timer.current = setTimeout(() => setState('idle'), 2000)
    else selectBeside(button.current)
  }
  return (
    <>
      <button ref={button} type="button" className="button-small" onClick={copy}>
        {state === 'copied' ? 'Copied' : label}
      </button>
      <span className="copy-status" role="status">
        {state === 'failed' && 'Copy failed — select and copy manually'}
        {state === 'copied' && <span className="visually-hidden">Copied</span>}
      </span>
    </>
  )
}
