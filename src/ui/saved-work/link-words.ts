// Link problems in plain words: a student pasting a link wants to know what to do, not which encoding
// failed. A bad `at=` costs only the moment, not the link.

/** Rewrites the decoder's technical reasons in words a student can act on. */
export function plainLinkError(error: string): string {
  if (/not base64url|does not decompress|not JSON|no version number|truncated/.test(error)) {
    return 'the link is corrupt (damaged, or cut short when it was copied): ask for it again, or copy the whole address';
  }
  if (/newer VirtLab/.test(error)) return `${error}: reload the page to get the newest VirtLab, then open the link again`;
  if (/characters long|inflates past/.test(error)) return `${error.replace(/: refused$/, '')}: it is too large to open`;
  if (/carries no scenario/.test(error)) return 'the address has no scenario in it (it should end in #s=… or #lib=…)';
  return error;
}

/** Takes a bad `at=` out of a fragment (it is then ignored with a notice); a good one stays. */
export function splitBadAt(fragment: string): { fragment: string; badAt: string | null } {
  const parts = fragment.split('&');
  let badAt: string | null = null;
  const kept = parts.filter((p) => {
    if (!p.startsWith('at=')) return true;
    const v = p.slice(3);
    const n = Number(v);
    if (v !== '' && Number.isSafeInteger(n) && n >= 0) return true;
    badAt = v;
    return false;
  });
  return { fragment: kept.join('&'), badAt };
}
