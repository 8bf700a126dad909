'use client';

import type { RefObject } from 'react';

/**
 * The file picker behind a "Choose files" or attach button: hidden, out of the tab order (the
 * button is what people reach), and cleared after each pick so the same file can be chosen again.
 */
export function HiddenFileInput({
  input,
  accept,
  label,
  testId,
  onFiles,
}: {
  input: RefObject<HTMLInputElement | null>;
  accept: string;
  label: string;
  testId: string;
  onFiles: (files: File[]) => void;
}) {
  return (
    <input
      ref={input}
      type="file"
      multiple
      accept={accept}
      className="sr-only"
      tabIndex={-1}
      aria-label={label}
      data-testid={testId}
      onChange={(event) => {
        const files = Array.from(event.target.files ?? []);
        event.target.value = '';
        if (files.length > 0) onFiles(files);
      }}
    />
  );
}
