// A search field that reports its text a moment after typing stops (and at once on Enter).
import { type FormEvent, useEffect, useState } from 'react'

export function SearchBox({
  label,
  value,
  onSearch,
}: {
  label: string
  value: string
  onSearch(text: string): void
}) {
  const [text, setText] = useState(value)
  useEffect(() => {
    if (text === value) return
    const timer = setTimeout(() => onSearch(text), 300)
    return () => clearTimeout(timer)
  }, [text, value, onSearch])
  const submit = (event: FormEvent) => {
    event.preventDefault()
    onSearch(text)
  }
  return (
    <form className="search" onSubmit={submit}>
      <label className="visually-hidden" htmlFor="search">
        {label}
      </label>
      <input
        id="search"
        type="search"
        placeholder={label}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
    </form>
  )
}
