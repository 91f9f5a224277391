"""The word tokenizer the reference evaluators use: nltk's ``word_tokenize``, reimplemented.

WebArena's and VisualAgentBench's ``must_include`` compare a one-token reference with the
*tokens* of the answer, as ``nltk.tokenize.word_tokenize`` splits it. That function first splits
the text into sentences with the Punkt model, then applies the improved Treebank tokenizer
(``NLTKWordTokenizer``) to each sentence. Punkt's trained English parameters are a data download
that cannot be made here, and the answers the evaluators tokenize are short and lower-cased
(both harnesses lower-case before tokenizing), so this module reproduces:

* Punkt's sentence-break decision *without trained parameters* (no abbreviation list, no
  orthographic statistics): a ``.``, ``?`` or ``!`` followed by whitespace or closing
  punctuation ends a sentence, except an ellipsis, and a number or a single letter ending in
  ``.`` when the next word starts lower-case (Punkt's number/initial heuristic);
* the Treebank tokenizer of nltk 3.10 (quotes, punctuation, brackets, dashes, clitics,
  contractions).

The difference from the trained English model is its abbreviation list (``st.``, ``dr.``,
``inc.`` ...): with it, a sentence does not end after an abbreviation. The recorded parity data
(``tests/data/eval_parity.json``) holds the tokens nltk gives for every string the parity cases
tokenize, and ``tests/core/test_eval_parity.py`` checks this module against them.
"""

from __future__ import annotations

import re

__all__ = ["sentences", "treebank_tokens", "word_tokenize"]

# --- Punkt (untrained) ------------------------------------------------------------------------
_SENT_END = ".?!"
# Characters Punkt never lets into a word (they split word tokens), "." excepted.
_NON_WORD = "()\";}]*:@'({[\u2018\u2019\u201c\u201d\xab\xbb?!"
_NON_WORD_CLASS = "[" + re.escape(_NON_WORD) + "]"
# A potential sentence end: an end character followed by punctuation or by space and a word.
_POTENTIAL_END = re.compile(
    "[" + re.escape(_SENT_END) + "](?=(?P<after>" + _NON_WORD_CLASS + r"|\s+(?P<next>\S+)))"
)
_NUMBER = re.compile(r"^-?[\.,]?\d[\d,\.-]*\.?$")
_INITIAL = re.compile(r"[^\W\d]\.$")
_REALIGN = re.compile("[\"')\\]}\u2018\u2019\u201c\u201d\xab\xbb]+?(?:\\s+|(?=--)|$)")


# Punkt's word tokens: a multi-character punctuation, a word (up to space, a non-word
# character, or a comma that ends the word), or any other single character.
_WORD_START = "[^" + re.escape("(\"`{[:;&#*@)}]-,") + "]"
_MULTI = r"(?:\-{2,}|\.{2,}|(?:\.\s){2,}\.)"
_PUNKT_WORD = re.compile(
    "(" + _MULTI + "|(?=" + _WORD_START + r")\S+?(?=\s|$|" + _NON_WORD_CLASS + "|" + _MULTI
    + r"|,(?=$|\s|" + _NON_WORD_CLASS + "|" + _MULTI + r"))|\S)"
)
_ELLIPSIS = re.compile(r"\.\.+$")


def _is_break(token: str) -> bool:
    """Punkt's first pass without an abbreviation list."""
    if token in _SENT_END:
        return True
    if _ELLIPSIS.match(token):
        return False
    return token.endswith(".") and not token.endswith("..")


def _is_number_or_initial(token: str) -> bool:
    typ = _NUMBER.sub("##number##", token.lower())
    if typ.endswith(".") and len(typ) > 1:
        typ = typ[:-1]
    return typ == "##number##" or _INITIAL.match(token) is not None


def _contains_break(context: str) -> bool:
    """Punkt's ``text_contains_sentbreak``: a break on some token other than the last."""
    tokens = [t for line in context.splitlines() for t in _PUNKT_WORD.findall(line)]
    breaks = [_is_break(t) for t in tokens]
    for i in range(len(tokens) - 1):
        first, second = tokens[i], tokens[i + 1]
        # Number/initial heuristic: the next token is punctuation or starts lower-case.
        if (
            first.endswith(".")
            and _is_number_or_initial(first)
            and (second in ";:,.!?" or second[:1].islower())
        ):
            breaks[i] = False
        # An initial before a capitalised word (of unknown case statistics) continues too.
        elif _INITIAL.match(first) and second[:1].isupper():
            breaks[i] = False
    return any(breaks[:-1])


def _last_whitespace(text: str) -> int:
    for i in range(len(text) - 1, -1, -1):
        if text[i].isspace():
            return i
    return 0


def _end_contexts(text: str) -> list[tuple[re.Match[str], str]]:
    """Potential sentence ends and their contexts (the word before, the end, what follows);
    of overlapping ones ("!!!") only the last is kept."""
    found: list[tuple[re.Match[str], str]] = []
    previous: re.Match[str] | None = None
    previous_slice = (0, 0)
    for match in _POTENTIAL_END.finditer(text):
        before = text[previous_slice[1] : match.start()]
        index = _last_whitespace(before)
        start = index + previous_slice[1] + 1 if index else previous_slice[0]
        if previous is not None and previous_slice[1] <= start:
            found.append(
                (previous, text[previous_slice[0] : previous_slice[1]] + previous.group()
                 + previous.group("after"))
            )
        previous, previous_slice = match, (start, match.start())
    if previous is not None:
        found.append(
            (previous, text[previous_slice[0] : previous_slice[1]] + previous.group()
             + previous.group("after"))
        )
    return found


def sentences(text: str) -> list[str]:
    """``text`` split into sentences as an untrained ``PunktSentenceTokenizer`` splits it."""
    spans: list[tuple[int, int]] = []
    last = 0
    for match, context in _end_contexts(text):
        if _contains_break(context):
            spans.append((last, match.end()))
            last = match.start("next") if match.group("next") else match.end()
    spans.append((last, len(text.rstrip())))
    out: list[str] = []
    realign = 0
    for i, (start, stop) in enumerate(spans):
        start += realign
        if i + 1 == len(spans):
            if text[start:stop]:
                out.append(text[start:stop])
            continue
        following = text[spans[i + 1][0] : spans[i + 1][1]]
        found = _REALIGN.match(following)
        if found:
            out.append(text[start : spans[i + 1][0] + len(found.group().rstrip())])
            realign = found.end()
        else:
            realign = 0
            if text[start:stop]:
                out.append(text[start:stop])
    return out


# --- Treebank (nltk's NLTKWordTokenizer) ------------------------------------------------------
_CLOSERS = "\\]\\)}>\"'\xbb\u201d\u2019"
_STEPS_BEFORE_PARENS: list[tuple[re.Pattern[str], str]] = [
    # opening quotes
    (re.compile("([\xab\u201c\u2018\u201e]|[`]+)"), r" \1 "),
    (re.compile(r'^"'), "``"),
    (re.compile(r"(``)"), r" \1 "),
    (re.compile(r"([ \(\[{<])(\"|'{2})"), r"\1 `` "),
    (re.compile(r"(?i)(?<!\w)(')(?!(?:re|ve|ll|m|t|s|d|n)\b)(?=\w)"), r"\1 "),
    # punctuation
    (re.compile(r"([^\.])(\.)([" + _CLOSERS + r" ]*+)\s*$"), r"\1 \2 \3 "),
    (re.compile(r"([:,])([^\d])"), r" \1 \2"),
    (re.compile(r"([:,])$"), r" \1 "),
    (re.compile(r"\.{2,}"), r" \g<0> "),
    (re.compile(r"[;@#$%&]"), r" \g<0> "),
    (re.compile("[\u2012-\u2015]"), r" \g<0> "),
    (re.compile(r"([^\.])(\.)([\]\)}>\"']*)\s*$"), r"\1 \2\3 "),
    (re.compile(r"[?!]"), r" \g<0> "),
    (re.compile(r"([^'])' "), r"\1 ' "),
    (re.compile(r"[*]"), r" \g<0> "),
    # brackets, double dashes
    (re.compile(r"[\]\[\(\)\{\}\<\>]"), r" \g<0> "),
    (re.compile(r"--"), r" -- "),
]
_STEPS_AFTER_PADDING: list[tuple[re.Pattern[str], str]] = [
    # closing quotes and clitics
    (re.compile("([\xbb\u201d\u2019])"), r" \1 "),
    (re.compile(r"''"), " '' "),
    (re.compile(r'"'), " '' "),
    (re.compile(r"\s+"), " "),
    (re.compile(r"([^' ])('[sS]|'[mM]|'[dD]|') "), r"\1 \2 "),
    (re.compile(r"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "), r"\1 \2 "),
    # two-part contractions: "cannot" -> "can not", "gonna" -> "gon na", "'tis" -> "'t is"
    *(
        (re.compile(pattern), r" \1 \2 ")
        for pattern in (
            r"(?i)\b(can)(not)\b",
            r"(?i)\b(d)('ye)\b",
            r"(?i)\b(gim)(me)\b",
            r"(?i)\b(gon)(na)\b",
            r"(?i)\b(got)(ta)\b",
            r"(?i)\b(lem)(me)\b",
            r"(?i)\b(more)('n)\b",
            r"(?i)\b(wan)(na)(?=\s)",
            r"(?i) ('t)(is)\b",
            r"(?i) ('t)(was)\b",
        )
    ),
]


def treebank_tokens(sentence: str) -> list[str]:
    """One sentence's tokens as nltk's ``NLTKWordTokenizer().tokenize`` gives them."""
    text = sentence
    for pattern, repl in _STEPS_BEFORE_PARENS:
        text = pattern.sub(repl, text)
    text = f" {text} "
    for pattern, repl in _STEPS_AFTER_PADDING:
        text = pattern.sub(repl, text)
    return text.split()


def word_tokenize(text: str) -> list[str]:
    """``nltk.word_tokenize(text)``: Punkt sentences (untrained), then Treebank tokens."""
    return [token for sentence in sentences(text) for token in treebank_tokens(sentence)]
