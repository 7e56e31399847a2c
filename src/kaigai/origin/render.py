"""AST -> normalised rule text: canonical English (parseable back) and Japanese labels."""

from __future__ import annotations

from kaigai.origin.ast import (
    PE,
    RVC,
    WO,
    And,
    CodeRange,
    Condition,
    Dated,
    ForProduct,
    MaterialLimit,
    MaxNOM,
    Node,
    Or,
    Process,
    Shift,
    WOMaterials,
)


def fmt_code(code: str) -> str:
    """``7208`` -> ``72.08``; ``847130`` -> ``8471.30``; chapters stay two digits."""
    if len(code) == 4:
        return f"{code[:2]}.{code[2:]}"
    if len(code) == 6:
        return f"{code[:4]}.{code[4:]}"
    return code


def fmt_range(r: CodeRange) -> str:
    s = f"{r.level} {fmt_code(r.start)}"
    if r.end and r.end != r.start:
        s += f" through {fmt_code(r.end)}"
    if r.qualifier:
        s += f" [{r.qualifier}]"
    return s


def _ranges(rs: tuple[CodeRange, ...]) -> str:
    return ", ".join(fmt_range(r) for r in rs)


def _pct(x: float) -> str:
    return f"{int(x)}%" if float(x).is_integer() else f"{x:g}%"


def to_text(node: Node) -> str:
    """Canonical English text; :func:`kaigai.origin.parser.parse_notation` reads it back."""
    return _en(node, top=True)


def _wrap(node: Node) -> str:
    s = _en(node, top=False)
    return f"({s})" if isinstance(node, And | Or) else s


def _en(node: Node, top: bool) -> str:
    if isinstance(node, WO):
        return "WO"
    if isinstance(node, PE):
        return "PE"
    if isinstance(node, Shift):
        return node.level + (f" except from {_ranges(node.exceptions)}" if node.exceptions else "")
    if isinstance(node, RVC):
        opts: list[str] = [x for x in (node.method, node.basis) if x]
        if node.focus:
            opts.append("focus: " + _ranges(node.focus))
        return f"RVC {_pct(node.threshold)}" + (f" ({', '.join(opts)})" if opts else "")
    if isinstance(node, MaxNOM):
        return f"MaxNOM {_pct(node.threshold)}" + (f" ({node.basis})" if node.basis else "")
    if isinstance(node, MaterialLimit):
        s = ("however " if node.allowance else "") + f"{node.measure} of non-originating materials"
        if node.materials:
            s += " of " + _ranges(node.materials)
        s += f" max {_pct(node.threshold)}"
        alt = f" {_pct(node.fob_threshold)}" if node.fob_threshold is not None else ""
        return s + (f" ({node.basis}{alt})" if node.basis else "")
    if isinstance(node, WOMaterials):
        return "wholly obtained materials of " + _ranges(node.materials)
    if isinstance(node, Process):
        return f'process "{node.description}"'
    if isinstance(node, Condition):
        return f'condition "{node.text}"'
    if isinstance(node, And):
        return " and ".join(_wrap(p) for p in node.parts)
    if isinstance(node, Or):
        return " or ".join(_wrap(p) for p in node.parts)
    if isinstance(node, ForProduct):
        return f'for "{node.description}": {_wrap(node.rule)}'
    if isinstance(node, Dated):
        inner = (
            _wrap(node.rule)
            if not isinstance(node.rule, ForProduct | Dated)
            else f"({_en(node.rule, False)})"
        )
        if node.start and node.end:
            when = f"{node.start.isoformat()} to {node.end.isoformat()}"
        elif node.start:
            when = f"from {node.start.isoformat()}"
        else:
            when = f"until {node.end.isoformat() if node.end else ''}"
        return f"{inner} {{{when}}}"
    raise TypeError(f"not a rule node: {node!r}")


_JA_LEVEL = {"chapter": "第{c}類", "heading": "第{c}項", "subheading": "第{c}号"}
_JA_SHIFT = {"CC": "類変更（CC）", "CTH": "項変更（CTH）", "CTSH": "号変更（CTSH）"}
_JA_METHOD = {
    "build-down": "控除方式",
    "build-up": "積上げ方式",
    "net cost": "純費用方式",
    "focused value": "重点価額方式",
}
_JA_BASIS = {"FOB": "本船渡し価格（FOB）", "EXW": "工場渡し価格（EXW）", "EXW or FOB": "EXW又はFOB"}


def _ja_range(r: CodeRange) -> str:
    s = _JA_LEVEL[r.level].format(c=fmt_code(r.start))
    if r.end and r.end != r.start:
        s += "から" + _JA_LEVEL[r.level].format(c=fmt_code(r.end)) + "まで"
    if r.qualifier:
        s += f"（原文：{r.qualifier}）"  # the treaty's own words, quoted
    return s


def to_text_ja(node: Node) -> str:
    """Japanese labels for a rule (display only; not parsed back)."""
    if isinstance(node, WO):
        return "完全生産品（WO）"
    if isinstance(node, PE):
        return "原産材料のみから生産される産品（PE）"
    if isinstance(node, Shift):
        s = _JA_SHIFT[node.level]
        if node.exceptions:
            s += "（" + "、".join(_ja_range(r) for r in node.exceptions) + "からの変更を除く）"
        return s
    if isinstance(node, RVC):
        s = f"域内原産割合（RVC）{_pct(node.threshold)}以上"
        extra = [_JA_METHOD[node.method]] if node.method else []
        if node.basis:
            extra.append(_JA_BASIS[node.basis])
        if node.focus:
            extra.append("対象：" + "、".join(_ja_range(r) for r in node.focus))
        return s + (f"（{'、'.join(extra)}）" if extra else "")
    if isinstance(node, MaxNOM):
        return f"非原産材料の価額が{_JA_BASIS.get(node.basis or '', '価格')}の{_pct(node.threshold)}以下（MaxNOM）"
    if isinstance(node, MaterialLimit):
        what = "、".join(_ja_range(r) for r in node.materials) or "全て"
        m = "価額" if node.measure == "value" else "重量"
        pre = "ただし" if node.allowance else ""
        return f"{pre}非原産材料（{what}）の{m}が{_pct(node.threshold)}以下"
    if isinstance(node, WOMaterials):
        return "、".join(_ja_range(r) for r in node.materials) + "の材料が完全生産品であること"
    if isinstance(node, Process):
        return f"加工工程基準（原文：{node.description}）"
    if isinstance(node, Condition):
        return f"条件（要確認、原文：{node.text}）"
    if isinstance(node, And):
        return " かつ ".join(
            f"（{to_text_ja(p)}）" if isinstance(p, Or) else to_text_ja(p) for p in node.parts
        )
    if isinstance(node, Or):
        return " 又は ".join(
            f"（{to_text_ja(p)}）" if isinstance(p, And) else to_text_ja(p) for p in node.parts
        )
    if isinstance(node, ForProduct):
        return f"「{node.description}」について：{to_text_ja(node.rule)}"
    if isinstance(node, Dated):
        a = node.start.isoformat() if node.start else ""
        b = node.end.isoformat() if node.end else ""
        return f"{to_text_ja(node.rule)}（適用期間 {a}〜{b}）"
    raise TypeError(f"not a rule node: {node!r}")


__all__ = ["fmt_code", "fmt_range", "to_text", "to_text_ja"]
