import type { NoticeKind, Purpose, ReceiverKind } from '@outband/contracts';
import { toPlainGsm } from '@outband/sms-codec';

export type Locale = 'en' | 'fr';

/** What a text may show. Amounts are integer minor units with an ISO 4217 currency. */
export interface TemplateParams {
  code: string;
  expiresInSeconds: number;
  amount?: { minor: number; currency: string };
  payee?: string;
  /** For purpose `message`: the order or declaration the user certifies. */
  statement?: string;
  /** The merchant's brand, shown where the text says "Outband". */
  senderName?: string;
  /** The merchant's own text for a phone, with `{code}`, `{minutes}`, `{amount}`, `{payee}`, `{text}`. */
  template?: string;
}

type Render = (p: TemplateParams, minutes: number) => string;

// Locales put no-break spaces in amounts; a plain space keeps the text in the GSM alphabet
// (one SMS instead of two in UCS-2).
const money = (p: TemplateParams, locale: Locale, display: 'symbol' | 'code' = 'symbol') =>
  p.amount ? formatAmount(p.amount.minor, p.amount.currency, locale, display).replace(/\s/gu, ' ') : '';

/** The one place where texts live: per locale, purpose and receiver kind. */
const templates: Record<Locale, Record<Purpose, Record<ReceiverKind, Render>>> = {
  en: {
    login: {
      mobile: (p, min) => `Your Outband login code is ${p.code}. It expires in ${min} min. Never share it.`,
      'pager-alpha': (p) => `Outband login code ${p.code}`,
      'pager-numeric': (p) => p.code,
    },
    transaction: {
      mobile: (p, min) =>
        `Outband: approve ${money(p, 'en')} to ${p.payee ?? ''} with code ${p.code}. It expires in ${min} min. Never share it.`,
      'pager-alpha': (p) => `Pay ${money(p, 'en', 'code')} to ${p.payee ?? ''} code ${p.code}`,
      // Digits only: the code, then the amount in minor units.
      'pager-numeric': (p) => `${p.code} ${p.amount?.minor ?? ''}`,
    },
    message: {
      mobile: (p, min) => `Outband: confirm "${p.statement ?? ''}" with code ${p.code}. It expires in ${min} min. Never share it.`,
      'pager-alpha': (p) => `Code ${p.code} confirms: ${p.statement ?? ''}`,
      'pager-numeric': (p) => p.code,
    },
  },
  fr: {
    login: {
      mobile: (p, min) => `Votre code de connexion Outband est ${p.code}. Il expire dans ${min} min. Ne le partagez jamais.`,
      'pager-alpha': (p) => `Code de connexion Outband ${p.code}`,
      'pager-numeric': (p) => p.code,
    },
    transaction: {
      mobile: (p, min) =>
        `Outband : validez le paiement de ${money(p, 'fr')} à ${p.payee ?? ''} avec le code ${p.code}. Il expire dans ${min} min. Ne le partagez jamais.`,
      'pager-alpha': (p) => `Paiement ${money(p, 'fr', 'code')} a ${p.payee ?? ''} code ${p.code}`,
      'pager-numeric': (p) => `${p.code} ${p.amount?.minor ?? ''}`,
    },
    message: {
      mobile: (p, min) =>
        `Outband : confirmez "${p.statement ?? ''}" avec le code ${p.code}. Il expire dans ${min} min. Ne le partagez jamais.`,
      'pager-alpha': (p) => `Code ${p.code} confirme : ${p.statement ?? ''}`,
      'pager-numeric': (p) => p.code,
    },
  },
};

/** Notices carry no code: lockout warnings (NIST SP 800-63B-4 §3.1.3.2), registered-message alerts. */
const notices: Record<Locale, Record<NoticeKind, string>> = {
  en: {
    lockout_warning:
      'Outband: many wrong codes were typed for your account at one service, which is paused there for a while. Not you? Contact your provider.',
    lockout_permanent:
      'Outband: wrong codes keep being typed for your account at one service. Your codes still work elsewhere. Not you? Your provider can block them for you.',

    registered_waiting: 'Outband: a registered message awaits you. Open it where you were told to: a code will be sent to read it.',
    registered_retrieved: 'Outband: your registered message was opened by its addressee.',
    address_changed:
      "Outband: your codes will now go to another number, at your provider's request. Not you? Contact your provider at once.",
  },
  fr: {
    lockout_warning:
      'Outband : trop de codes erronés ont été saisis pour votre compte sur un service, qui le suspend un temps. Pas vous ? Contactez votre fournisseur.',
    lockout_permanent:
      'Outband : des codes erronés sont encore saisis pour votre compte sur un service. Vos codes restent valables ailleurs. Pas vous ? Votre fournisseur peut les bloquer.',

    registered_waiting:
      "Outband : un message recommandé vous attend. Ouvrez-le là où on vous l'a indiqué : un code vous sera envoyé pour le lire.",
    registered_retrieved: 'Outband : votre message recommandé a été ouvert par son destinataire.',
    address_changed:
      'Outband : vos codes iront désormais à un autre numéro, à la demande de votre fournisseur. Pas vous ? Contactez-le sans attendre.',
  },
};

/** A notice as the receiver shows it; a numeric pager shows none (notices hold no digits). */
export function renderNotice(kind: NoticeKind, o: Omit<RenderOptions, 'purpose'>): string {
  return forReceiver(notices[o.locale][kind], o);
}

export interface RenderOptions {
  purpose: Purpose;
  locale: Locale;
  receiverKind: ReceiverKind;
  /** Longest text an alphanumeric pager of the route shows. */
  pagerMaxLength: number;
}

/**
 * The text a receiver shows: the full text on a phone; a short plain GSM text within the
 * route's limit on an alphanumeric pager; digits only on a numeric pager.
 */
export function renderText(o: RenderOptions, p: TemplateParams): string {
  const minutes = Math.max(1, Math.round(p.expiresInSeconds / 60));
  // The merchant's values go in after the brand: a payee or a statement that says "Outband" is
  // shown as the person approves it, not rebranded.
  const marked = {
    ...p,
    payee: p.payee === undefined ? undefined : payeeMark,
    statement: p.statement === undefined ? undefined : statementMark,
  };
  const text =
    p.template && o.receiverKind === 'mobile'
      ? fill(p.template, {
          code: p.code,
          minutes: String(minutes),
          amount: money(p, o.locale),
          payee: marked.payee ?? '',
          text: marked.statement ?? '',
        })
      : templates[o.locale][o.purpose][o.receiverKind](marked, minutes);
  const branded = p.senderName ? text.replace(/Outband/g, p.senderName) : text;
  return forReceiver(
    branded.replace(payeeMark, () => p.payee ?? '').replace(statementMark, () => p.statement ?? ''),
    o,
  );
}

// Control characters never reach a phone (merchant text is refused when it holds one).
const payeeMark = '\u0000payee\u0000';
const statementMark = '\u0000statement\u0000';

/** Puts values in a merchant's template; the data server checked it names only these. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-z]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

function forReceiver(text: string, o: Omit<RenderOptions, 'purpose'>): string {
  switch (o.receiverKind) {
    case 'mobile':
      return text;
    case 'pager-alpha':
      return toPlainGsm(text).slice(0, o.pagerMaxLength);
    case 'pager-numeric':
      return text.replace(/[^0-9 ]/g, '').trim();
  }
}

/** An amount in minor units, written for the locale (`12,50 €`, `€12.50`). */
export function formatAmount(minor: number, currency: string, locale: Locale, display: 'symbol' | 'code' = 'symbol'): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: display });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}
