/** Sinhala texts of the fraud defence (messages.ts), spread into the SMS OTP catalogue's (../messages.si.ts). */
import type { FraudMessageId } from './messages.js';

export const fraudMessagesSi: Record<FraudMessageId, string> = {
  'sms-otp.limit.blocked': 'මෙම දුරකථන අංකයට කේත යැවිය නොහැක. පිවිසීමට වෙනත් ක්‍රමයක් භාවිත කරන්න, නැතහොත් අප අමතන්න.',
  'sms-otp.limit.conversion':
    'අසාමාන්‍ය තදබදයක් නිසා ඔබේ අංකය වැනි අංකවලට කේත යැවීම ටික කලකට නවතා ඇත. කරුණාකර පසුව නැවත උත්සාහ කරන්න, නැතහොත් පිවිසීමට වෙනත් ක්‍රමයක් භාවිත කරන්න.',
  'sms-otp.limit.spend-cap': 'අද තවත් කේත යැවිය නොහැක. කරුණාකර පසුව නැවත උත්සාහ කරන්න, නැතහොත් පිවිසීමට වෙනත් ක්‍රමයක් භාවිත කරන්න.',
  'sms-otp.challenge.wrong': 'පරීක්ෂාව සාර්ථක නොවීය. කරුණාකර එය නැවත ක්‍රියාත්මක වීමට ඉඩ දෙන්න.',
  'sms-otp.challenge.missing': 'පරීක්ෂාව අවසන් නොවීය. කරුණාකර එය නැවත ක්‍රියාත්මක වීමට ඉඩ දෙන්න.',
  'sms-otp.challenge.expired': 'පරීක්ෂාවට වැඩි කාලයක් ගත වූ බැවින් එය කල් ඉකුත් විය: නව පරීක්ෂාවක් ක්‍රියාත්මක වේ.',
  'sms-otp.challenge.replayed': 'එම පරීක්ෂාව දැනටමත් භාවිත කර ඇත: නව පරීක්ෂාවක් ක්‍රියාත්මක වේ.',
  'sms-otp.challenge.other-login': 'එම පරීක්ෂාව වෙනත් පිවිසුමකට අයත් වේ: නව පරීක්ෂාවක් ක්‍රියාත්මක වේ.',
  'sms-otp.page.challenge-title': 'ඔබේ බ්‍රවුසරය පරීක්ෂා කරමින්',
  'sms-otp.page.challenge-heading': 'ඔබේ කේතය යැවීමට පෙර මොහොතක්',
  'sms-otp.page.challenge-lead': 'ඔබේ ජාලයෙන් කේත බොහොමයක් ඉල්ලා ඇති බැවින්, අප කේතයක් යැවීමට පෙර ඔබේ බ්‍රවුසරය කෙටි ගණනය කිරීමක් කරයි.',
  'sms-otp.page.challenge-working': 'පරීක්ෂා කරමින්… මේ සඳහා තත්පර කිහිපයක් ගතවේ.',
  'sms-otp.page.challenge-done': 'අවසන්. ඔබේ කේතය යවමින්…',
  'sms-otp.page.challenge-needs-js':
    'මෙම පරීක්ෂාවට JavaScript අවශ්‍ය වේ. JavaScript සක්‍රිය කර පිටුව නැවත පූරණය කරන්න, නැතහොත් පහත උපස්ථ කේතයක් භාවිත කරන්න.',
};
