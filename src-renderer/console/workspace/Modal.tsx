import { useEffect, useId, useRef, type ReactNode } from 'react';

export interface ModalProps {
  title: string;
  /** Escape and a click outside call it. */
  onClose(): void;
  children: ReactNode;
  className?: string;
}

/**
 * A dialog over the console (the step-up prompt's look). Focus moves into
 * it and goes back where it was when it closes, so typing resumes in the
 * terminal that had it.
 */
export function Modal({ title, onClose, children, className }: ModalProps) {
  const titleId = useId();
  const box = useRef<HTMLElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>('input, select, textarea, button');
    first?.focus();
    return () => previous?.focus?.();
  }, []);
  return (
    <div
      className="step-up"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <section
        ref={box}
        className={`card step-up__dialog ${className ?? ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            onClose();
          }
        }}
      >
        <h1 id={titleId}>{title}</h1>
        {children}
      </section>
    </div>
  );
}
