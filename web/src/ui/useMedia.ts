import { useEffect, useState } from 'preact/hooks';

/** Whether a CSS media query matches now, kept current as the window resizes or the phone rotates. */
export function useMedia(query: string): boolean {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const update = () => setMatches(list.matches);
    update();
    list.addEventListener('change', update);
    return () => list.removeEventListener('change', update);
  }, [query]);
  return matches;
}

/** the layout breakpoint: below it one panel at a time, above it the grid */
export const WIDE = '(min-width: 1024px)';
