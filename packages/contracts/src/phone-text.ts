import { z } from 'zod';

/**
 * Text a merchant supplies that ends up on a phone (payee, items, a certified message, a
 * sender name, a template). The person approves what the phone shows, so nothing in it may
 * change how the rest reads: one line, no control, bidi or invisible characters, and no run of
 * digits that could pass for a code or an amount. Values are refused, never rewritten: what a
 * user signs is exactly what was sent.
 */

/** The stable error code of a refused text (the HTTP layer answers it as the problem's `code`). */
export const UNSAFE_TEXT = 'UNSAFE_TEXT';

// Cc controls (\n, \r, \t …), Cf format characters (U+202E and the other bidi controls,
// zero-width spaces and joiners, U+FEFF), Cs/Co/Cn, and the line and paragraph separators.
const invisible = /[\p{C}\p{Zl}\p{Zp}]/u;

// Between two digits, spaces and the punctuation people group digits with do not break a
// run: `48 29 13` and `48-29-13` read as a six-digit code.
const groupedDigits = /(?<=\p{N})[\p{Zs}.,'’·:/_-]+(?=\p{N})/gu;
const spacedDigits = /(?<=\p{N})\p{Zs}+(?=\p{N})/gu;

/** What a text may hold besides words. */
export interface PhoneTextRules {
  /**
   * `names` (payee, items, sender names, templates): no three digits in a row, even grouped.
   * `statement` (a certified order or declaration): numbers, dates and references, but no run
   * of six digits (the shortest code), even spaced.
   * @defaultValue 'names'
   */
  digits?: 'names' | 'statement';
  /** Whether a currency sign may appear (the amount is Outband's to show). @defaultValue true */
  currency?: boolean;
}

/** Why a text may not reach a phone, or undefined when it may. */
export function unsafeTextReason(text: string, o: PhoneTextRules = {}): string | undefined {
  if (invisible.test(text)) {
    return 'must be one line without control, bidi or invisible characters';
  }
  // Stacked combining marks draw over the neighbouring characters (strike-through, "Zalgo").
  if (/\p{M}{3}/u.test(text)) {
    return 'must not stack more than two combining marks on a character';
  }
  // A statement is shown between quotes: a quote inside it would close them early.
  if (o.digits === 'statement' && /["“”„«»]/u.test(text)) {
    return 'must not hold double quotes or guillemets (the phone shows the statement between quotes)';
  }
  // NFKC folds fullwidth, superscript and circled digits to ASCII; \p{N} also counts other
  // scripts' digits (Arabic-Indic, Devanagari …), which phones show as digits too.
  const normalised = text.normalize('NFKC');
  if (o.digits === 'statement') {
    if (/\p{N}{6}/u.test(normalised.replace(spacedDigits, ''))) {
      return 'must not hold six digits in a row (spaced or in any script), which could pass for a code';
    }
  } else if (/\p{N}{3}/u.test(normalised.replace(groupedDigits, ''))) {
    return 'must not hold three digits in a row (grouped or in any script), which could pass for a code or an amount';
  }
  if (o.currency === false && /\p{Sc}/u.test(normalised)) {
    return 'must not hold a currency sign: Outband shows the amount';
  }
  return undefined;
}

/** A schema refinement that refuses unsafe text with the stable code. */
export function safeForPhone<S extends z.ZodType<string>>(schema: S, o: PhoneTextRules = {}): S {
  return schema.superRefine((value, ctx) => {
    const reason = unsafeTextReason(value, o);
    if (reason !== undefined) {
      ctx.addIssue({ code: 'custom', message: reason, params: { code: UNSAFE_TEXT } });
    }
  });
}

/** A plain text shown on a phone: `min`–`max` characters, safe (see above). */
export const phoneText = (max: number, o: PhoneTextRules = {}) => safeForPhone(z.string().min(1).max(max), o);
