import type { Purpose, ReceiverKind } from '@outband/contracts';

export interface TextParams {
  purpose: Purpose;
  locale: 'en' | 'fr';
  receiverKind: ReceiverKind;
  code: string;
  expiresInSeconds: number;
}

const templates: Record<'en' | 'fr', Record<Purpose, (code: string, minutes: number) => string>> = {
  en: { login: (code, min) => `Your Outband login code is ${code}. It expires in ${min} min. Never share it.` },
  fr: { login: (code, min) => `Votre code de connexion Outband est ${code}. Il expire dans ${min} min. Ne le partagez jamais.` },
};

/** The text a receiver shows: full text on a phone, short on an alphanumeric pager, digits on a numeric one. */
export function renderText(p: TextParams): string {
  if (p.receiverKind === 'pager-numeric') {
    return p.code;
  }
  if (p.receiverKind === 'pager-alpha') {
    return `Outband code ${p.code}`;
  }
  return templates[p.locale][p.purpose](p.code, Math.max(1, Math.round(p.expiresInSeconds / 60)));
}
