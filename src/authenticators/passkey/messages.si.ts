/** Sinhala texts of the passkey pages (messages.ts); an id missing here is shown in English. */
import type { PasskeyMessageId } from './messages.js';

export const passkeyMessagesSi: Partial<Record<PasskeyMessageId, string>> = {
  'passkey.missing': 'ඉදිරියට යාමට ඔබේ මුරයතුර (passkey) භාවිත කරන්න.',
  'passkey.cancelled': 'මුරයතුර භාවිත කළේ නැත. නැවත උත්සාහ කරන්න, නැතහොත් වෙනත් ක්‍රමයක් උත්සාහ කරන්න.',
  'passkey.refused': 'එම මුරයතුර සත්‍යාපනය කළ නොහැකි විය. නැවත උත්සාහ කරන්න, නැතහොත් වෙනත් ක්‍රමයක් උත්සාහ කරන්න.',
  'passkey.expired': 'එයට වැඩි වේලාවක් ගත විය. ඔබේ මුරයතුර නැවත උත්සාහ කරන්න.',
  'passkey.too-many-attempts': 'මුරයතුරු උත්සාහයන් ඉතා වැඩියි. යෙදුම වෙත ආපසු ගොස් නැවත ආරම්භ කරන්න.',
  'passkey.locked': 'අසාර්ථක උත්සාහයන් වැඩි බැවින් ඔබේ ගිණුම අගුළු දමා ඇත. මිනිත්තු {minutes} කින් නැවත උත්සාහ කරන්න.',
  'passkey.user-disabled': 'ඔබේ ගිණුම ලබා ගත නොහැක. ඔබේ පරිපාලක අමතන්න.',
  'passkey.not-enrolled': 'ඔබට මුරයතුරක් සකසා නැති අතර මෙම පිවිසුමට එකක් අවශ්‍යයි. ඔබේ පරිපාලක අමතන්න.',
  'passkey.too-many-credentials': 'ඔබට ඉඩ දී ඇති තරම් මුරයතුරු ඇත. එකක් ඉවත් කිරීමට ඔබේ පරිපාලකගෙන් ඉල්ලන්න.',
  'passkey.register-refused': 'මුරයතුර එක් කළ නොහැකි විය. නැවත උත්සාහ කරන්න.',
  'passkey.page.get-title': 'ඔබේ මුරයතුර භාවිත කරන්න',
  'passkey.page.get-hint-identified':
    'මෙම ගිණුම සඳහා ඔබ සැකසූ මුරයතුර භාවිත කරන්න: ඔබේ උපාංගය ඇඟිලි සලකුණ, මුහුණ, PIN අංකය හෝ ආරක්ෂක යතුර ඉල්ලයි.',
  'passkey.page.get-hint-any':
    'මෙම අඩවිය සඳහා ඔබ සතු මුරයතුරු ඔබේ උපාංගය පෙන්වයි: එකක් තෝරා ඇඟිලි සලකුණ, මුහුණ, PIN අංකය හෝ ආරක්ෂක යතුර මඟින් තහවුරු කරන්න.',
  'passkey.page.needs-script': 'මුරයතුරු සඳහා JavaScript අවශ්‍යයි. ඔබේ බ්‍රවුසරයේ එය සක්‍රිය කරන්න, නැතහොත් වෙනත් ක්‍රමයක් උත්සාහ කරන්න.',
  'passkey.page.use': 'මුරයතුරක් භාවිත කරන්න',
  'passkey.page.register-title': 'මුරයතුරක් එක් කරන්න',
  'passkey.page.register-lead':
    'මුරයතුරක් ඉල්ලයි. දැන් මෙම උපාංගයේ එකක් එක් කරන්න: එතැන් සිට ඔබ ඇඟිලි සලකුණ, මුහුණ, PIN අංකය හෝ ආරක්ෂක යතුර මඟින් පිවිසෙයි.',
  'passkey.page.add': 'මුරයතුරක් එක් කරන්න',
};
