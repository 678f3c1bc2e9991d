/** Sinhala texts of the TOTP pages (messages.ts); an id missing here is shown in English. */
import type { TotpMessageId } from './messages.js';

export const totpMessagesSi: Partial<Record<TotpMessageId, string>> = {
  'totp.code-missing': 'ඔබේ සත්‍යාපන යෙදුම පෙන්වන කේතය ඇතුළත් කරන්න.',
  'totp.invalid-code': 'ඔබ ඇතුළත් කළ කේතය වැරදියි. කරුණාකර නැවත උත්සාහ කරන්න.',
  'totp.code-used': 'මෙම කේතය දැනටමත් භාවිත කර ඇත. ඔබේ යෙදුමේ ඊළඟ කේතය එනතෙක් රැඳී සිට එය ඇතුළත් කරන්න.',
  'totp.too-many-attempts': 'වැරදි කේත ඉතා වැඩියි. යෙදුම වෙත ආපසු ගොස් නැවත ආරම්භ කරන්න.',
  'totp.locked': 'අසාර්ථක උත්සාහයන් වැඩි බැවින් ඔබේ ගිණුම අගුළු දමා ඇත. මිනිත්තු {minutes} කින් නැවත උත්සාහ කරන්න.',
  'totp.not-enrolled': 'ඔබට සත්‍යාපන යෙදුමක් සකසා නැති අතර මෙම පිවිසුමට එකක් අවශ්‍යයි. එකක් එක් කිරීමට ඔබේ පරිපාලක අමතන්න.',
  'totp.enrol-invalid-code':
    'එම කේතය නොගැළපේ. මෙහි පෙන්වන ගිණුම යෙදුම එක් කළ බවත් දුරකථනයේ ඔරලෝසුව නිවැරදි බවත් පරීක්ෂා කර වත්මන් කේතය ඇතුළත් කරන්න.',
  'totp.enrol-expired': 'යෙදුම සැකසීමට වැඩි වේලාවක් ගත විය. නව QR කේතයක් පෙන්වා ඇත: එය නැවත ස්කෑන් කරන්න.',
  'totp.too-many-credentials': 'ඔබට ඉඩ දී ඇති තරම් සත්‍යාපන යෙදුම් ඇත. එකක් ඉවත් කිරීමට ඔබේ පරිපාලකගෙන් ඉල්ලන්න.',
  'totp.enrolled': 'ඔබේ සත්‍යාපන යෙදුම සකසා ඇත.',
  'totp.page.code-title': 'ඔබේ කේතය ඇතුළත් කරන්න',
  'totp.page.code-heading': 'ඔබේ සත්\u200dයාපන යෙදුමේ කේතය ඇතුළත් කරන්න',
  'totp.page.code': 'කේතය',
  'totp.page.code-hint': 'ඔබේ දුරකථනයේ සත්\u200dයාපන යෙදුම විවෘත කර මෙම ගිණුම සඳහා එය පෙන්වන ඉලක්කම් {digits} කේතය ඇතුළත් කරන්න.',
  'totp.page.enrol-title': 'සත්\u200dයාපන යෙදුමක් සකසන්න',
  'totp.page.enrol-lead': 'සත්\u200dයාපන යෙදුමකින් කේතයක් ඉල්ලයි. දැන් මෙම ගිණුම එකකට එක් කරන්න.',
  'totp.page.enrol-open':
    'ඔබේ දුරකථනයේ සත්\u200dයාපන යෙදුමක් (උදාහරණයක් ලෙස Google Authenticator, Microsoft Authenticator, FreeOTP හෝ 1Password) විවෘත කර ගිණුමක් එක් කරන්න.',
  'totp.page.enrol-scan': 'මෙම QR කේතය ස්කෑන් කරන්න:',
  'totp.page.enrol-by-hand': 'නැතහොත් මෙම යතුර අතින් ඇතුළත් කරන්න (ගිණුම {account}, කාලය මත පදනම්):',
  'totp.page.open-on-device': 'මෙම උපාංගයේ සත්\u200dයාපන යෙදුමකින් විවෘත කරන්න',
  'totp.page.enrol-enter': 'යෙදුම දැන් පෙන්වන ඉලක්කම් {digits} කේතය ඇතුළත් කරන්න.',
  'totp.page.code-from-app': 'යෙදුමේ කේතය',
  'totp.page.confirm': 'තහවුරු කර ඉදිරියට යන්න',
};
