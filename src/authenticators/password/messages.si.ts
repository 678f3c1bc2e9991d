/** Sinhala texts of the password page (passwordMessages in index.ts); an id missing here is shown in English. */
export const passwordMessagesSi: Record<string, string> = {
  'password.invalid': 'පරිශීලක නාමය හෝ මුරපදය වැරදියි.',
  'password.missing': 'ඔබේ පරිශීලක නාමය සහ මුරපදය ඇතුළත් කරන්න.',
};
