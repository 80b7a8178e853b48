#!/usr/bin/env python3
"""Builds Mellanrum's lemma lexicon (lexicon/sv-forms.tsv, lexicon/sv-lemmas.txt and
lexicon/en-irregular.tsv) from its sources; `cargo run --example lexicon_fst` then turns the
forms into lexicon/sv.fst, the lookup the search analysis reads. See lexicon/README.md.

Usage: scripts/lexicon/build.py HUNSPELL_DIR WORDNET_DIR
  HUNSPELL_DIR holds sv_SE.dic and sv_SE.aff (Debian's hunspell-sv, `apt-get download hunspell-sv`)
  WORDNET_DIR holds noun.exc, verb.exc and adj.exc (Debian's wordnet-base)

Swedish: every word of the Hunspell dictionary is expanded through its affix rules; each form
maps to the entries it came from (its lemmas). Inflected forms that the dictionary lists as words
of their own (väljer, gamla, föräldrar) are linked to their lemma by the regular endings of
Swedish inflection, but only to an entry that has a paradigm of its own in the dictionary.
Words the affix rules derive rather than inflect are lemmas of their own: a verb's agent noun
(arbetare), its action noun when it has no plural (uppfostran), -isk adjectives (typisk). A
link by ending must fit the lemma's own paradigm: a first-conjugation verb (arbetade) has no
strong or second-conjugation forms (arbetet is arbete's), a noun with the definite -en has no
-et, one with the plural -n no plural -ar or -r (tycker is not tycke's), one in -a no plural
-rna (väljarna is väljare's), one with the plural -ar or -or no definite -et (värdet is not
värd's), an adjective no definite -en (vanligen), and a verb of sv-irregular.tsv no
second-conjugation past (vart is not vara's), a weak verb no strong participle (köpet is köp's,
not köpa's), a noun in -e with the plural -ar no plural -r (holmer is not holme's), and the
neuter noun of a weak verb's stem no plural -er (köper is köpa's, not köp's). A form the
irregular table gives is linked by no ending at all (sätter is sätta's only; kunde is not
kund's). A form that is a headword with a paradigm of its own (glada the bird, lever the organ,
visade) is linked too, but only as a verb's present or past (-ar, -er, -ade, -de, -te) to a verb with a known past, or as an adjective's plural or comparison
(-a, -are, -ast) to an adjective whose comparative is its own form: glada is glad's, lever leva's,
motor no form of mota. LEXICON_OUT=DIR writes the files to DIR instead.
Strong verbs, umlaut plurals and irregular comparison come from lexicon/sv-irregular.tsv, with
the passive (-s) of each supine there that the dictionary lists (gjorts, sagts, tagits; not
that of an s-verb of its own: funnits is finnas's), and
reach particle and prefix verbs the dictionary holds (bestod -> bestå). Each form also records
whether it may start a compound (Hunspell's COMPOUNDBEGIN, or a lemma of its own) and whether it
only occurs inside compounds (ONLYINCOMPOUND: linking forms such as skol-, vecko-, föräldra-);
a linking form's lemma is the noun it links when the dictionary has that noun (vecko- is vecka's,
föräldra- förälder's, jordbrukar- jordbrukare's).
"""
import collections, pathlib, re, sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = pathlib.Path(__import__("os").environ.get("LEXICON_OUT", ROOT / "lexicon"))
VOWELS = set("aeiouyåäöé")
BEGIN, ONLY_COMPOUND, HEADWORD = 1, 2, 4
# Present participles and their nouns (krävande, lidandet) are words of their own, not forms of
# the verb: Swedish uses them as adjectives and nouns.
PARTICIPLE = ("nde", "ndes", "ndet", "ndets", "ndena", "ndenas")


def parse_aff(path):
    sfx, special = collections.defaultdict(list), {}
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        p = lines[i].split()
        if p and p[0] == "SFX" and len(p) == 4 and p[3].isdigit():
            for line in lines[i + 1 : i + 1 + int(p[3])]:
                q = line.split()
                strip = "" if q[2] == "0" else q[2]
                add, _, cont = q[3].partition("/")
                cond = q[4] if len(q) > 4 else "."
                sfx[p[1]].append((strip, "" if add == "0" else add, cont, None if cond == "." else re.compile(f"(?:{cond})$")))
            i += int(p[3]) + 1
            continue
        if p and p[0] in ("NEEDAFFIX", "ONLYINCOMPOUND", "FORBIDDENWORD", "COMPOUNDBEGIN", "COMPOUNDPERMITFLAG"):
            special[p[0]] = p[1]
        i += 1
    return sfx, special


def suffixed(word, flag, sfx):
    for strip, add, cont, rx in sfx.get(flag, ()):
        if word.endswith(strip) and (rx is None or rx.search(word)):
            yield word[: len(word) - len(strip)] + add, cont


# Flags of a verb's past forms (-de, -t, -des, -d): an entry ending in -a with one is a verb.
VERB_FLAGS = "MNP"
# Flag T derives nouns and adjectives (arbeta -> arbetare, typ -> typisk); flag E gives a verb
# without a noun's plural its action noun (uppfostra -> uppfostran). Flag G gives -or plurals.
AGENT = ("re", "ren", "rens", "res", "rna", "rnas")
ISK = ("isk", "iska", "iskt")


def derived(lemma, form, flag, verb, flags):
    """The lemma of a derived word that a suffix rule makes (a noun or adjective of its own),
    or None for an inflected form of the entry."""
    if flag == "T":
        if lemma.endswith("a") and form.endswith(AGENT):
            return lemma + "re"
        if form.endswith(ISK):
            return form[: len(form) - len(next(e for e in ISK[::-1] if form.endswith(e)))] + "isk"
        if form.endswith(("are", "aren", "arens", "ares")):
            return form[: form.rindex("are")] + "are"
    if flag == "E" and verb and "G" not in flags and form.endswith(("n", "ns")):
        return lemma + "n"
    return None


def expand(hunspell):
    """form -> {lemma: flags of the form}, and the entries with a paradigm of their own."""
    sfx, sp = parse_aff(hunspell / "sv_SE.aff")
    forms = collections.defaultdict(dict)
    paradigm = set()
    derived_forms = set()
    # Forms that some entry gives as a word of its own (allmän is one, and allmän- a compound's
    # first part only).
    plain = set()
    lines = (hunspell / "sv_SE.dic").read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        word, _, flags = line.strip().partition("/")
        flags = flags.split()[0] if flags else ""
        if not word or sp["FORBIDDENWORD"] in flags or word.endswith((":", ".")) or any(c.isdigit() for c in word):
            continue
        lemma = word.lower().rstrip("-")
        if not word.endswith("-") and sp["NEEDAFFIX"] not in flags:
            forms[word.lower()].setdefault(lemma, "")
            forms[word.lower()][lemma] += flags
            if sp["ONLYINCOMPOUND"] not in flags:
                plain.add(word.lower())
        # An entry with inflection flags (not only genitive and compound flags) has a paradigm.
        if any(c not in "AXUYWZ!" for c in flags) and not word.endswith("-"):
            paradigm.add(lemma)
        verb = lemma.endswith("a") and any(c in flags for c in VERB_FLAGS)
        for fl in flags:
            for form, cont in suffixed(word, fl, sfx):
                own = derived(lemma, form.lower(), fl, verb, flags)
                if own:
                    # A derived word is a lemma of its own.
                    derived_forms.add(form.lower())
                    forms[form.lower()].setdefault(own, "")
                    forms[form.lower()][own] += cont
                    if sp["ONLYINCOMPOUND"] not in cont:
                        plain.add(form.lower())
                    continue
                forms[form.lower()].setdefault(lemma, "")
                forms[form.lower()][lemma] += cont
                if sp["ONLYINCOMPOUND"] not in cont:
                    plain.add(form.lower())
                for c in cont:
                    for form2, cont2 in suffixed(form, c, sfx):
                        forms[form2.lower()].setdefault(lemma, "")
                        forms[form2.lower()][lemma] += cont2
                        if sp["ONLYINCOMPOUND"] not in cont2:
                            plain.add(form2.lower())
    return forms, paradigm, derived_forms, plain, sp


# Regular endings: (ending of the form, ending of its lemma).
ENDINGS = [
    ("er", "a"), ("ar", "a"), ("r", ""), ("s", "as"), ("es", "as"), ("as", "a"),
    ("ade", "a"), ("ades", "a"), ("at", "a"), ("ats", "a"), ("ad", "a"),
    ("de", "a"), ("te", "a"), ("t", "a"), ("ts", "a"), ("des", "a"), ("tes", "a"), ("dde", ""), ("tt", ""), ("dd", ""),
    ("it", "a"), ("its", "a"), ("en", "a"), ("na", "a"), ("et", "a"),
    ("en", ""), ("et", ""), ("n", ""), ("t", ""), ("ns", ""), ("ts", ""), ("ens", ""), ("ets", ""), ("s", ""),
    ("ar", ""), ("ar", "e"), ("or", "a"), ("er", ""), ("er", "a"), ("arna", ""), ("arna", "e"),
    ("orna", "a"), ("erna", ""), ("erna", "a"), ("rna", ""), ("na", ""), ("arnas", ""), ("ornas", "a"), ("ernas", ""),
    ("ars", ""), ("ors", "a"), ("ers", ""), ("an", "a"), ("ans", "a"),
    ("a", ""), ("e", ""), ("are", ""), ("ast", ""), ("aste", ""), ("t", "d"), ("tt", "d"),
]


# Endings a verb of the first conjugation (arbeta: arbetar, arbetade, arbetat) never has: the
# forms of strong verbs and of the second conjugation (arbetet is arbete's, not arbeta's).
NOT_FIRST = {"er", "en", "et", "it", "its", "na", "de", "te", "t", "ts", "des", "tes"}


# The endings of the second conjugation's past (preterite, supine): an irregular verb has its
# own (a first-conjugation homograph may have -ade, -at: vara, varade).
WEAK_PAST = ("de", "des", "te", "tes", "t", "ts", "dde", "tt", "dd")


def fits(form, end, rep, lemma, own):
    """Whether `form` can be `lemma`'s form with that ending, given the forms the dictionary
    gives the lemma itself (`own`): a first-conjugation verb has no strong or second-conjugation
    forms; a noun whose definite form is -en has no -et (värdet is not värd's), nor the other way
    round; a noun with the plural -n (arbeten) has no plural -ar (arbetar)."""
    if rep == "a" and end in NOT_FIRST and lemma + "de" in own and lemma + "t" in own:
        return False
    # A weak verb of the second conjugation (köpa: köpte, köpt) has no strong participle or
    # supine (köpet is köp's, not köpa's).
    if rep == "a" and end in ("it", "its", "en", "et", "na") and (lemma[:-1] + "te" in own or lemma[:-1] + "de" in own):
        return False
    if rep == "" and end in ("et", "ets") and lemma + "en" in own:
        return False
    if rep == "" and end in ("en", "ens") and lemma + "et" in own:
        return False
    if rep == "e" and end.startswith("ar") and lemma + "n" in own and lemma + "t" in own:
        return False
    if rep == "":
        # A noun in -a has the plural -or: no -rna (väljarna is väljare's, not välja's).
        if end in ("rna", "rnas") and lemma.endswith("a"):
            return False
        # A neuter noun in -e has the plural -n (tycken): no plural -r (tycker is tycka's).
        if end in ("r", "rs", "rna", "rnas") and lemma.endswith("e") and lemma + "t" in own and lemma + "n" in own:
            return False
        # A noun in -e with the plural -ar (finnar, holmar) has no plural -r (finner is finna's).
        if end in ("r", "rs", "rna", "rnas") and lemma.endswith("e") and lemma[:-1] + "ar" in own:
            return False
        # A noun with the plural -ar or -or is of common gender: no definite -et (värdet is
        # värde's, not värd's).
        if end in ("et", "ets") and (lemma + "ar" in own or lemma + "or" in own):
            return False
        # An adjective (a comparative of its own and no noun's plural) has no noun's definite
        # form (vanligen is an adverb of its own).
        nominal = any(lemma + p in own for p in ("ar", "er", "or", "na", "en", "et"))
        if end in ("en", "ens", "et", "ets") and lemma + "are" in own and not nominal:
            return False
    return True


# The endings of a headword that is also another word's form: a verb's present and past
# (lemma in -a), an adjective's plural and comparison (lemma as the word).
HEADWORD_VERB_ENDINGS = ("ar", "er", "ade", "de", "te")
HEADWORD_ADJECTIVE_ENDINGS = ("a", "are", "ast", "aste")


def headword_form_of(form, lemma, own, known):
    """Whether `form`, a headword of its own, is also a form of `lemma`: a verb (a past of it is
    a known word) with a verb's ending, or an adjective (its comparative is among its own forms)
    with an adjective's plural or comparison."""
    stem = lemma[:-1]
    if lemma.endswith("a") and form.startswith(stem) and form[len(stem):] in HEADWORD_VERB_ENDINGS:
        return any(p in known for p in (lemma + "de", stem + "de", stem + "te", lemma + "t", stem + "it"))
    if form.startswith(lemma) and form[len(lemma):] in HEADWORD_ADJECTIVE_ENDINGS:
        return lemma + "are" in own or lemma + "ast" in own
    return False


def regular_lemmas(form, own=None):
    own = own or {}
    out = set()
    for end, rep in ENDINGS:
        if form.endswith(end) and len(form) > len(end) + 1:
            lemma = form[: len(form) - len(end)] + rep
            if fits(form, end, rep, lemma, own.get(lemma, ())):
                out.add(lemma)
    # An -el/-er/-en lemma loses its e before an ending: gamla (gammal), enkla, vackra, regler, öknar.
    for end in ("a", "e", "ar", "er", "arna", "erna", "are", "ast", "aste", "at", "et", "en"):
        if form.endswith(end) and len(form) > len(end) + 2:
            stem = form[: len(form) - len(end)]
            c = stem[-1]
            if c in "lrn" and stem[-2] not in VOWELS:
                base = stem[:-1]
                out.update({base + "e" + c, base + "a" + c})
                if len(base) >= 2 and base[-1] == "m" and base[-2] in VOWELS:
                    out.update({base + "ma" + c, base + "me" + c})
    # A second-conjugation verb's present (köper, trycker, släpper) is no plural of the neuter
    # noun of its stem, which has none (köpet, köpen), unless that noun has an -er plural itself.
    if form.endswith("er"):
        stem = form[:-2]
        verb, noun = own.get(stem + "a", ()), own.get(stem, ())
        if form in verb and stem + "ar" not in verb and stem + "et" in noun and stem + "en" in noun and form not in noun:
            out.discard(stem)
    return {c for c in out if len(c) >= 3 and c != form}


# How a linking form ends, and what the noun it links ends with instead: familje- (familj),
# kvinno- (kvinna), gatu- (gata), arbets- (arbete), dags- (dag), jordbrukar- (jordbrukare),
# laboratorie- (laboratorium), föräldra- (förälder), flick- (flicka), pojk- (pojke).
LINKING = [("e", ""), ("o", "a"), ("u", "a"), ("s", "e"), ("s", ""), ("ar", "are"), ("ie", "ium"), ("", "a"), ("", "e")]


def linked_noun(form, paradigm, plain):
    """The noun a linking form stands for, when the dictionary has it as a word of its own."""
    for end, rep in LINKING:
        if form.endswith(end) and len(form) - len(end) >= 3:
            noun = form[: len(form) - len(end)] + rep
            if noun != form and noun in paradigm and noun in plain:
                return noun
    # föräldra- (förälder): an -el/-er/-en noun loses its e before the linking -a.
    if form.endswith("a") and len(form) >= 5 and form[-2] in "lnr" and form[-3] not in VOWELS:
        noun = form[:-2] + "e" + form[-2]
        if noun in paradigm and noun in plain:
            return noun
    return None


def irregular(path):
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lemma, forms = line.split("\t")
        for f in forms.split():
            table.setdefault(f, set()).add(lemma)
    return table


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    hunspell, wordnet = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    forms, paradigm, derived_forms, plain_forms, sp = expand(hunspell)
    begin_flags = {sp["COMPOUNDBEGIN"], sp["COMPOUNDPERMITFLAG"]}
    lemmas = {}
    flags = {}
    for form, by in forms.items():
        if not re.fullmatch(r"[a-zåäöéüàèáæøñç]+", form):
            continue
        ls = {l for l, fl in by.items() if sp["ONLYINCOMPOUND"] not in fl or l == form}
        plain = form in plain_forms
        f = 0
        if any(begin_flags & set(fl) for fl in by.values()) or form in paradigm:
            f |= BEGIN
        if not plain:
            f |= ONLY_COMPOUND
        ls = {l for l in by if re.fullmatch(r"[a-zåäöéüàèáæøñç]+", l)}
        if form.endswith(PARTICIPLE):
            ls = {l for l in ls if l == form or not l.endswith("a")} | {form}
        if form in paradigm:
            f |= HEADWORD
        lemmas[form] = ls or {form}
        flags[form] = f
    # Link inflected forms listed as words of their own to a lemma with a paradigm.
    own = collections.defaultdict(set)
    for form, by in forms.items():
        for lemma in by:
            own[lemma].add(form)
    # A verb of the irregular table forms its past there, not with a weak verb's endings (vart
    # is no form of vara).
    irr = irregular(OUT / "sv-irregular.tsv")
    irregular_verbs = {l for ls in irr.values() for l in ls if l.endswith("a")}
    for form in list(lemmas):
        # The irregular table says what its forms are: no ending links them to another word
        # as well (sätter is sätta's, not a plural of sätt; finner finna's, not finne's).
        if flags[form] & ONLY_COMPOUND or form in derived_forms or form in irr:
            continue
        for c in regular_lemmas(form, own):
            weak_past = c.endswith("a") and form.startswith(c[:-1]) and form[len(c) - 1 :] in WEAK_PAST
            if c in paradigm and not (c in irregular_verbs and weak_past):
                # A headword of its own (glada the bird, lever the organ, visade) is also a form
                # of another word only where that word shows the part of speech the ending
                # belongs to: a verb's present or past, an adjective's comparison.
                if form in paradigm and not headword_form_of(form, c, own[c], lemmas):
                    continue
                lemmas[form].add(c)
    # Irregular forms (the table read above), and the particle and prefix words built on them.
    # The passive of a supine in -t that the dictionary lists as a word: gjorts, sagts, tagits,
    # sålts (göra, säga, ta, sälja), as the table gives the other passives (gjordes, görs) —
    # unless it is the form of an s-verb of its own (funnits is finnas's, not finna's).
    for f, ls in list(irr.items()):
        if f.endswith("t") and f + "s" in lemmas and not any(l.endswith("s") for l in lemmas[f + "s"] | irr.get(f + "s", set())):
            irr.setdefault(f + "s", set()).update(ls)
    for ls in list(irr.values()):
        for lemma in ls:
            irr.setdefault(lemma, set()).add(lemma)
    for f, ls in irr.items():
        lemmas.setdefault(f, set()).update(ls)
        flags.setdefault(f, 0)
    by_tail = collections.defaultdict(list)
    for f, ls in irr.items():
        by_tail[f].append(ls)
    for form in list(lemmas):
        for i in range(2, len(form) - 1):
            tail = form[i:]
            if tail in irr:
                head = form[:i]
                for lemma in irr[tail]:
                    if head + lemma in paradigm or head + lemma in lemmas and head + lemma in lemmas[head + lemma]:
                        lemmas[form].add(head + lemma)
    # A linking form (familje-, kvinno-, arbets-, jordbrukar-) is the noun it links: a compound
    # part's lemma is then that noun's (familjeformen has the part familj).
    for form, f in flags.items():
        if f & ONLY_COMPOUND and lemmas[form] == {form}:
            noun = linked_noun(form, paradigm, plain_forms)
            if noun:
                lemmas[form] = {noun}
    # The lemma list and the forms.
    ids = {l: i for i, l in enumerate(sorted({l for ls in lemmas.values() for l in ls}))}
    (OUT / "sv-lemmas.txt").write_text("".join(l + "\n" for l in sorted(ids, key=ids.get)), encoding="utf-8")
    with open(OUT / "sv-forms.tsv", "w", encoding="utf-8") as out:
        for form in sorted(lemmas, key=lambda s: s.encode()):
            # At most three: the irregular table's first, then the word itself when it is a
            # headword, then entries with a paradigm, then the rest.
            ls = sorted(lemmas[form], key=lambda l: (l not in irr.get(form, ()), not (l == form and l in paradigm), l not in paradigm, l != form, l))[:3]
            out.write(f"{form}\t{flags[form]}\t{' '.join(str(ids[l]) for l in ls)}\n")
    # English irregular forms (WordNet's exception lists).
    en = collections.defaultdict(set)
    for name in ("noun.exc", "verb.exc", "adj.exc"):
        for line in (wordnet / name).read_text(encoding="utf-8").splitlines():
            p = line.split()
            if len(p) >= 2 and all(re.fullmatch(r"[a-z]+", w) for w in p):
                en[p[0]].update(p[1:])
    with open(OUT / "en-irregular.tsv", "w", encoding="utf-8") as out:
        for f in sorted(en):
            out.write(f"{f}\t{' '.join(sorted(en[f]))}\n")
    print(f"{len(lemmas)} Swedish forms, {len(ids)} lemmas, {len(en)} English irregular forms", file=sys.stderr)


main()
