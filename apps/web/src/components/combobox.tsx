import { useEffect, useRef, useState } from 'preact/hooks';
import type { FieldError } from '../api.js';
import { useT } from '../i18n.js';
import { Messages, useFieldIds } from './forms.js';

/** One entry of a pick-list: `value` is what the form sends (an id); the rest is what people read. */
export interface Choice<T = unknown> {
  value: string;
  /** the entry's first line in the list */
  label: string;
  /** a second, smaller line in the list */
  detail?: string;
  /** what the field shows once the entry is chosen */
  text: string;
  /** what the entry was made from, for the caller's own checks */
  item?: T;
}

export interface Found<T = unknown> {
  choices: Choice<T>[];
  /** how many entries the search found (more than `choices` when the list is cut short) */
  total: number;
}

export interface ComboboxProps<T> {
  /** the form field: the chosen entry's value is sent under it, and field errors are matched by it */
  name: string;
  label: string;
  errors?: FieldError[];
  hint?: string;
  required?: boolean;
  disabled?: boolean;
  /** false: the choice only helps another field (nothing is sent under `name`) */
  send?: boolean;
  /** the entries for what the user typed ('' for the first entries) */
  search: (q: string) => Promise<Found<T>>;
  /** when this changes, earlier results are stale, and a chosen entry that `accepts` refuses is dropped */
  scope?: string;
  accepts?: (choice: Choice<T>) => boolean;
  /** the entry chosen when the form opens, and again after it is reset */
  initial?: Choice<T> | null;
  onChoose?: (choice: Choice<T> | null) => void;
}

const DEBOUNCE_MS = 250;

/**
 * A pick-list with search, after the WAI-ARIA combobox pattern (list autocomplete, no automatic
 * selection): typing searches (debounced), ↓/↑ move through the entries, Enter chooses, Escape
 * closes the list (and, once closed, clears the field), a click chooses. Only a chosen entry's
 * value is ever sent: while the field holds typed text that is not a choice, its input carries
 * `data-choice-missing`, and CommandForm refuses to send the form.
 */
export function Combobox<T>({
  name,
  label,
  errors,
  hint,
  required,
  disabled,
  send = true,
  search,
  scope,
  accepts,
  initial = null,
  onChoose,
}: ComboboxProps<T>) {
  const t = useT();
  const { id, error, described } = useFieldIds(name, errors, hint);
  const [text, setText] = useState(initial?.text ?? '');
  const [chosen, setChosen] = useState<Choice<T> | null>(initial);
  const [open, setOpen] = useState(false);
  const [found, setFound] = useState<(Found<T> & { q: string }) | null>(null);
  const [loading, setLoading] = useState(false);
  const [failed, setFailed] = useState(false);
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);
  const latest = useRef({ search, initial, onChoose });
  latest.current = { search, initial, onChoose };
  const sequence = useRef(0);
  /** the search (scope and words) that `found` answers */
  const foundFor = useRef<string | null>(null);
  const activateFirst = useRef(false);

  // While the field shows the chosen entry, opening the list browses from the start.
  const q = chosen && text === chosen.text ? '' : text.trim();
  const choices = found?.choices ?? [];
  const expanded = open && choices.length > 0;

  const choose = (choice: Choice<T> | null) => {
    setChosen(choice);
    setText(choice?.text ?? '');
    setOpen(false);
    setActive(-1);
    latest.current.onChoose?.(choice);
  };

  useEffect(() => {
    if (!open) return;
    const key = `${scope ?? ''}\u0000${q}`;
    if (foundFor.current === key) {
      if (activateFirst.current && choices.length > 0) setActive(0);
      activateFirst.current = false;
      return;
    }
    const run = ++sequence.current;
    setLoading(true);
    setFailed(false);
    const timer = setTimeout(() => {
      latest.current.search(q).then(
        (result) => {
          if (run !== sequence.current) return;
          foundFor.current = key;
          setFound({ ...result, q });
          setActive(activateFirst.current && result.choices.length > 0 ? 0 : -1);
          activateFirst.current = false;
          setLoading(false);
        },
        () => {
          if (run !== sequence.current) return;
          foundFor.current = null;
          setFound(null);
          setFailed(true);
          setLoading(false);
        },
      );
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [open, q, scope]);

  useEffect(() => {
    foundFor.current = null;
    setFound(null);
    if (chosen && accepts && !accepts(chosen)) choose(null);
  }, [scope]);

  // A reset form (after a saved command) shows the initial entry again.
  useEffect(() => {
    const form = input.current?.form;
    if (!form) return;
    const reset = () => choose(latest.current.initial ?? null);
    form.addEventListener('reset', reset);
    return () => form.removeEventListener('reset', reset);
  }, []);

  const optionId = (index: number) => `${id}-option-${index}`;
  useEffect(() => {
    if (expanded && active >= 0) document.getElementById(optionId(active))?.scrollIntoView({ block: 'nearest' });
  }, [expanded, active]);

  const onKeyDown = (event: KeyboardEvent) => {
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        event.preventDefault();
        if (!expanded) {
          // Opened with ↓ or ↑, the first entry becomes active as soon as the list is there (Alt+↓ only opens it).
          activateFirst.current = !event.altKey;
          setOpen(true);
        } else {
          const n = choices.length;
          setActive(event.key === 'ArrowDown' ? (active + 1) % n : active <= 0 ? n - 1 : active - 1);
        }
        return;
      case 'Enter':
        if (expanded && active >= 0 && choices[active]) {
          event.preventDefault();
          choose(choices[active]);
        }
        return;
      case 'Escape':
        if (open) {
          event.preventDefault();
          setOpen(false);
          setActive(-1);
        } else if (text !== '') {
          event.preventDefault();
          choose(null);
        }
        return;
      case 'Tab':
        setOpen(false);
        return;
    }
  };

  const status = !open
    ? ''
    : failed
      ? t('picker.failed')
      : !found
        ? loading
          ? t('picker.searching')
          : ''
        : found.choices.length === 0
          ? found.q
            ? t('picker.noResults', { q: found.q })
            : t('picker.empty')
          : found.total > found.choices.length
            ? t('picker.more', { shown: found.choices.length, total: found.total })
            : t('picker.count', { n: found.choices.length });
  // Typed text is never a value: it is refused until an entry is chosen (or the field is emptied).
  const missing = chosen ? undefined : text.trim() !== '' ? 'choose-from-list' : required ? 'required' : undefined;

  return (
    <div class="field combobox">
      <label id={`${id}-label`} for={id}>
        {label}
      </label>
      <div class="combobox-anchor">
        <input
          ref={input}
          id={id}
          type="text"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={expanded ? 'true' : 'false'}
          aria-controls={`${id}-list`}
          aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={described}
          aria-required={required ? 'true' : undefined}
          autoComplete="off"
          spellcheck={false}
          maxLength={200}
          disabled={disabled}
          value={text}
          data-field={name}
          data-choice-missing={missing}
          onInput={(event) => {
            setText(event.currentTarget.value);
            if (chosen) {
              setChosen(null);
              latest.current.onChoose?.(null);
            }
            setActive(-1);
            setOpen(true);
          }}
          onKeyDown={onKeyDown}
          onClick={() => setOpen(true)}
          onBlur={() => {
            setOpen(false);
            setActive(-1);
          }}
        />
        {/* Choosing by mouse must not take the focus from the input (that would close the list first). */}
        <ul id={`${id}-list`} role="listbox" aria-labelledby={`${id}-label`} class="choices" hidden={!expanded} onMouseDown={(e) => e.preventDefault()}>
          {choices.map((choice, index) => (
            <li key={choice.value} id={optionId(index)} role="option" aria-selected={index === active ? 'true' : 'false'} onClick={() => choose(choice)}>
              <span class="choice-label">{choice.label}</span>
              {choice.detail && <span class="choice-detail">{choice.detail}</span>}
            </li>
          ))}
        </ul>
      </div>
      {send && <input type="hidden" name={name} value={chosen?.value ?? ''} />}
      {/* A live region, not role=status: the form's own status (saved, or not) stays the one status of the form. */}
      <p class="hint choices-status" aria-live="polite">
        {status}
      </p>
      <Messages id={id} error={error} hint={hint} />
    </div>
  );
}
