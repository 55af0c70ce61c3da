// A modal dialog on the native <dialog> element: the browser keeps focus inside it and Escape closes it;
// focus goes back to what opened it. Each has a heading that names it and a Close button.
import { type ReactNode, useEffect, useId, useRef } from 'react';

export function Dialog({
  title,
  onClose,
  children,
  className,
  wide = false,
}: {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  className?: string;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!el.open) el.showModal();
    return () => {
      if (el.open) el.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? ' dialog-wide' : ''}${className ? ` ${className}` : ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={(e) => {
        // The page's own keys (digits, P, function keys) stay out of a dialog.
        if (e.key !== 'Escape') e.stopPropagation();
      }}
    >
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="dialog-close" onClick={onClose}>
          Close
        </button>
      </header>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a long dialog scrolls; keyboard users must reach it (WCAG 2.1.1) */}
      <div className="dialog-body" tabIndex={0}>
        {children}
      </div>
    </dialog>
  );
}
