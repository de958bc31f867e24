"""The example CI plugin of the README: a "CI/CD" tab from run records written by CI."""
import json, sys

if "--portico-manifest" in sys.argv:
    print(json.dumps({"name": "ci-runs", "version": "1.0.0", "protocol": {"min": 1, "max": 1},
                      "phases": ["contribute"], "inputs": ["ci/*.json"]}))
    sys.exit(0)

request = json.load(sys.stdin)
server = request["plugin"]["config"]["server"]
response = {"protocol": 1, "facts": [], "contributions": [], "diagnostics": []}
for entity in request["entities"]:
    pipeline = (entity["metadata"].get("annotations") or {}).get("ci.example.com/pipeline")
    if not pipeline:
        continue
    try:
        with open(f"ci/{pipeline}.json") as f:   # written by an earlier CI step
            runs = json.load(f)
    except FileNotFoundError:
        response["diagnostics"].append({"level": "warning", "code": "ci-no-runs", "entity": entity["ref"],
                                        "message": f"no runs recorded for {pipeline}"})
        continue
    green = runs[0]["result"] == "passed"
    response["facts"].append({"entity": entity["ref"], "values": {"green": green}})
    response["contributions"].append({
        "type": "entity-tab", "entity": entity["ref"], "id": "ci", "title": "CI/CD",
        "blocks": [
            {"type": "status", "level": "ok" if green else "error",
             "text": "Last run " + runs[0]["result"], "url": f"{server}/{pipeline}"},
            {"type": "table", "columns": ["Run", "Branch", "Result"],
             "rows": [[r["id"], r["branch"], r["result"]] for r in runs]},
        ]})
print(json.dumps(response))
