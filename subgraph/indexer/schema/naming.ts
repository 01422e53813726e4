// Query field names exactly as graph-node derives them (graph/src/data/graphql/ext.rs `camel_cased_names`):
// singular = Inflector's to_camel_case(TypeName), plural = to_camel_case(to_plural(TypeName)), and when both are
// equal the plural gets a `_collection` suffix. Clients written against graph-node must find the same names.

function isAlphanumeric(ch: string): boolean {
  return /[\p{L}\p{N}]/u.test(ch);
}
function isLower(ch: string): boolean {
  return ch !== ch.toUpperCase() && ch === ch.toLowerCase();
}
function isUpper(ch: string): boolean {
  return ch !== ch.toLowerCase() && ch === ch.toUpperCase();
}

/** Inflector's `to_camel_case` (cases/case/mod.rs `to_case_camel_like` with camelCase options). */
export function toCamelCase(input: string): string {
  const chars = Array.from(input);
  while (chars.length > 0 && !isAlphanumeric(chars[chars.length - 1]!)) chars.pop();
  let newWord = false;
  let lastChar = " ";
  let foundRealChar = false;
  let result = "";
  for (const ch of chars) {
    if (!isAlphanumeric(ch) && foundRealChar) {
      newWord = true;
    } else if (!foundRealChar && !isAlphanumeric(ch)) {
      continue;
    } else if (/\p{N}/u.test(ch)) {
      foundRealChar = true;
      newWord = true;
      result += ch;
    } else if (newWord || (isLower(lastChar) && isUpper(ch) && lastChar !== " ")) {
      foundRealChar = true;
      newWord = false;
      // camelCase options: has_seperator = false, inverted = false, so every new word starts upper case.
      result += ch.toUpperCase();
    } else {
      foundRealChar = true;
      lastChar = ch;
      result += ch.toLowerCase();
    }
  }
  return result;
}

// Inflector's pluralisation rules (string/pluralize/mod.rs), applied last-to-first; the first rule that matches
// wins and its capture group 1 plus the replacement is the plural.
const PLURAL_RULES: Array<[RegExp, string]> = [
  [/(\w*)s$/u, "s"],
  [/(\w*([^aeiou]ese))$/u, ""],
  [/(\w*(ax|test))is$/u, "es"],
  [/(\w*(alias|[^aou]us|tlas|gas|ris))$/u, "es"],
  [/(\w*(e[mn]u))s?$/u, "s"],
  [/(\w*([^l]ias|[aeiou]las|[emjzr]as|[iu]am))$/u, ""],
  [/(\w*(alumn|syllab|octop|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat))(?:us|i)$/u, "i"],
  [/(\w*(alumn|alg|vertebr))(?:a|ae)$/u, "ae"],
  [/(\w*(seraph|cherub))(?:im)?$/u, "im"],
  [/(\w*(her|at|gr))o$/u, "oes"],
  [
    /(\w*(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi|curricul|automat|quor))(?:a|um)$/u,
    "a",
  ],
  [
    /(\w*(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr|automat))(?:a|on)$/u,
    "a",
  ],
  [/(\w*)sis$/u, "ses"],
  [/(\w*(kni|wi|li))fe$/u, "ves"],
  [/(\w*(ar|l|ea|eo|oa|hoo))f$/u, "ves"],
  [/(\w*([^aeiouy]|qu))y$/u, "ies"],
  [/(\w*([^ch][ieo][ln]))ey$/u, "ies"],
  [/(\w*(x|ch|ss|sh|zz)es)$/u, ""],
  [/(\w*(x|ch|ss|sh|zz))$/u, "es"],
  [/(\w*(matr|cod|mur|sil|vert|ind|append))(?:ix|ex)$/u, "ices"],
  [/(\w*(m|l)(?:ice|ouse))$/u, "ice"],
  [/(\w*(pe)(?:rson|ople))$/u, "ople"],
  [/(\w*(child))(?:ren)?$/u, "ren"],
  [/(\w*eaux)$/u, ""],
];

const SPECIAL_PLURALS: Record<string, string> = {
  ox: "oxen",
  man: "men",
  woman: "women",
  die: "dice",
  yes: "yeses",
  foot: "feet",
  eave: "eaves",
  goose: "geese",
  tooth: "teeth",
  quiz: "quizzes",
};

/** Inflector's `to_plural`. Its uncountable-word list only holds lower-case words, which type names never are. */
export function toPlural(word: string): string {
  const special = SPECIAL_PLURALS[word];
  if (special !== undefined) return special;
  for (let i = PLURAL_RULES.length - 1; i >= 0; i--) {
    const [rule, replacement] = PLURAL_RULES[i]!;
    const match = rule.exec(word);
    if (match !== null && match[1] !== undefined) return match[1] + replacement;
  }
  return word + "s";
}

export function queryFieldNames(typeName: string): { singular: string; plural: string } {
  const singular = toCamelCase(typeName);
  let plural = toCamelCase(toPlural(typeName));
  if (plural === singular) plural += "_collection";
  return { singular, plural };
}
