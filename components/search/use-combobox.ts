'use client';

import { useState, type KeyboardEvent } from 'react';

export type ComboOption = { key: string; select(): void };

/**
 * Keyboard for a combobox whose focus stays in its input (WAI-ARIA combobox with
 * aria-activedescendant): Up and Down move through the options, wrapping, Enter picks the
 * active one, Escape calls `onEscape`. The first option is active again whenever the list changes.
 */
export function useCombobox(idPrefix: string, options: ComboOption[], onEscape: () => void) {
  const signature = options.map((option) => option.key).join('|');
  // The position belongs to the list it was chosen in: a new list starts at its first option.
  const [chosen, setChosen] = useState({ signature, index: 0 });
  const active = chosen.signature === signature ? chosen.index : 0;
  const setActive = (index: number) => setChosen({ signature, index });
  const index = options.length ? Math.min(active, options.length - 1) : -1;
  const optionId = (key: string) => `${idPrefix}-${key.replace(/[^\w-]/g, '_')}`;

  function onKeyDown(event: KeyboardEvent<HTMLElement>) {
    if (event.nativeEvent.isComposing) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!options.length) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((index + step + options.length) % options.length);
    } else if (event.key === 'Enter') {
      if (index < 0) return;
      event.preventDefault();
      options[index]!.select();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onEscape();
    }
  }

  return {
    onKeyDown,
    activeKey: index >= 0 ? options[index]!.key : undefined,
    activeDescendant: index >= 0 ? optionId(options[index]!.key) : undefined,
    optionId,
    setActiveKey: (key: string) => setActive(Math.max(0, options.findIndex((option) => option.key === key))),
  };
}
