/**
 * Vietnamese text folded for search: diacritics removed (NFD, combining marks dropped), đ/Đ → d,
 * lower case, every run of non-letters and non-digits one space. "Hộ chiếu", "ho chieu" and
 * "HO CHIEU" all fold to "ho chieu".
 */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The words of a query, folded, without duplicates. */
export function queryTerms(query: string): string[] {
  return [...new Set(fold(query).split(' ').filter(Boolean))].slice(0, 10);
}
