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
// zero-width spaces and joiners, U+FEFF), Cs/Co/Cn, the line and paragraph separators, and the
// other default-ignorable code points, which phones draw as nothing (the combining grapheme
// joiner, variation selectors, Hangul fillers, Mongolian selectors, tags).
const invisible = /[\p{C}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

// Digits count as one run unless a letter stands between them: spaces, dashes, dots, brackets
// and marks all group digits (`48 29 13`, `48–29–13`, `4̀8̀2`, keycaps read as a code).
const threeDigits = /\p{N}(?:[^\p{L}\p{N}]*\p{N}){2}/u;
const sixDigits = /\p{N}(?:[^\p{L}\p{N}]*\p{N}){5}/u;
// Dates are what a statement needs digits for: an ISO or day/month date is read as a date.
const dates =
  /\b(?:(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|1[0-2])[./](?:19|20)?\d\d)\b/gu;

/** What a text may hold besides words. */
export interface PhoneTextRules {
  /**
   * `names` (payee, items, sender names, templates): no three digits in a row, even grouped.
   * `statement` (a certified order or declaration): quantities, amounts and dates, but no run of
   * six digits (the shortest code), even grouped.
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
    if (sixDigits.test(normalised.replace(dates, 'date'))) {
      return 'must not hold six digits in a row (grouped, or in any script) besides dates, which could pass for a code';
    }
  } else if (threeDigits.test(normalised)) {
    return 'must not hold three digits in a row (grouped, or in any script), which could pass for a code or an amount';
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
