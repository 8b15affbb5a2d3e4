"""BERT uncased WordPiece tokenisation from a tokenizer.json (plain Python)."""
import json
import unicodedata


class WordPiece:
    def __init__(self, path, max_len=128, prefix=""):
        spec = json.load(open(path, encoding="utf-8"))
        self.vocab = spec["model"]["vocab"]
        self.unk = self.vocab["[UNK]"]
        self.cls, self.sep = self.vocab["[CLS]"], self.vocab["[SEP]"]
        self.max_len = max_len
        self.prefix = prefix  # e5's "query: ": starts every text, as the fused graph's windows do

    @staticmethod
    def _basic(text):
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        out, word = [], []
        for c in text:
            cat = unicodedata.category(c)
            if c.isspace() or cat.startswith("C"):
                if word:
                    out.append("".join(word)); word = []
            elif cat.startswith("P") or (33 <= ord(c) <= 47) or (58 <= ord(c) <= 64) or (91 <= ord(c) <= 96) or (123 <= ord(c) <= 126) \
                    or 0x4E00 <= ord(c) <= 0x9FFF:
                if word:
                    out.append("".join(word)); word = []
                out.append(c)
            else:
                word.append(c)
        if word:
            out.append("".join(word))
        return out

    def _pieces(self, word):
        if len(word) > 100:
            return [self.unk]
        ids, start = [], 0
        while start < len(word):
            end, cur = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    cur = self.vocab[piece]; break
                end -= 1
            if cur is None:
                return [self.unk]
            ids.append(cur); start = end
        return ids

    def pieces(self, text, limit):
        """The first `limit` word pieces of `text`."""
        ids = []
        for word in self._basic(text):
            ids.extend(self._pieces(word))
            if len(ids) >= limit:
                break
        return ids[:limit]

    def encode(self, text, chars=600):
        """[CLS] prefix text [SEP], cut to max_len; the text first cut to `chars` characters (the
        runtime's first window; None: the whole text)."""
        return [self.cls] + self.pieces(self.prefix + text[:chars], self.max_len - 2) + [self.sep]

    def encode_pair(self, first, second, first_limit):
        """[CLS] first [SEP] second [SEP], first cut to `first_limit` pieces and second to what is left
        of max_len (the prefix starts the first, as it starts every text)."""
        a = self.pieces(self.prefix + first, first_limit)
        return [self.cls] + a + [self.sep] + self.pieces(second, self.max_len - 3 - len(a)) + [self.sep]
