"""Record, from main as it is, what every sample and every policy test case decides (compat golden)."""
import json, sys
from pathlib import Path
from evaluator import RequestError
from evaluator.api import default_policies
from evaluator.requests.documents import read_document
from evaluator.tools.testing import load_cases, _plain

ROOT = Path(".")
records = []
policies = default_policies()

def record(ident, request):
    try:
        result = policies.evaluate(request)
    except RequestError as error:
        return {"id": ident, "request": request, "errors": sorted({p.pointer for p in error.errors})}
    return {"id": ident, "request": request, "decisions": result.to_dict()["decisions"]}

from decimal import Decimal
def plain(v):
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, (float, Decimal)):
        f = float(v)
        assert Decimal(repr(f)) == Decimal(str(v)), v
        return f
    assert isinstance(v, str), type(v)
    return str(v)
def check_same(ident, original, stored):
    a = record(ident, original); b = record(ident, stored)
    a.pop("request"); b.pop("request")
    assert a == b, ident

for path in sorted((ROOT / "samples").iterdir()):
    if path.suffix not in (".json", ".yaml", ".yml"):
        continue
    doc = read_document(str(path), path.read_text(encoding="utf-8"))
    request = plain(doc.data); check_same(path.name, doc.data, request)
    records.append(record(f"samples/{path.name}", request))
for path in sorted((ROOT / "tests" / "policies").glob("*.yaml")):
    for case in load_cases(path):
        request = plain(case.request); check_same(case.name, case.request, request)
        records.append(record(f"tests/policies/{path.name}: {case.name}", request))
Path(sys.argv[1]).write_text(json.dumps(records, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
print(len(records), sum("errors" in r for r in records))
