#!/bin/sh
# Which of the API's mutations the terminal client has no path to, and whose work each one is.
#
# Run from anywhere: tui/bench/coverage.sh [--strict]
# The mutations the client uses are those named in its .graphql documents (tui/graphql/**); the
# roles come from the domain's own rules: a registry mutation's permission is looked up in
# Role::permissions (domain/src/access.rs), a case action's kind in role_allows
# (domain/src/rsd/guards.rs). The table MUTATIONS below says which permission or case action
# each mutation needs; a mutation of schema.graphql missing from the table is an error, so the
# table cannot fall behind the API unnoticed.
#
# With --strict the exit status is 1 when a mutation some working role needs (not a developer
# operation: API tokens, or one open to any signed-in user) has no client path.
set -eu
cd "$(dirname "$0")/../.."
exec python3 - "$@" <<'PY'
import glob, re, sys

# mutation -> ("perm", Permission) | ("case", ActionKind) | ("signed_in", "") | ("developer", "")
MUTATIONS = {
    "login": ("signed_in", ""),
    "logout": ("signed_in", ""),
    "registerGroup": ("perm", "WritePersons"),
    "updateIndividual": ("perm", "WritePersons"),
    "addSpecificNeed": ("perm", "AddNeeds"),
    "reviewSpecificNeed": ("perm", "ReviewNeeds"),
    "addDocument": ("perm", "WritePersons"),
    "updateDocument": ("perm", "WritePersons"),
    "splitGroup": ("perm", "ManageGroups"),
    "mergeGroups": ("perm", "ManageGroups"),
    "createApiToken": ("developer", ""),
    "revokeApiToken": ("developer", ""),
    "openCase": ("perm", "WritePersons"),
    "decideAdmissibility": ("case", "DecideAdmissibility"),
    "scheduleInterview": ("case", "ScheduleInterview"),
    "recordInterview": ("case", "RecordInterview"),
    "recordNoShow": ("case", "RecordNoShow"),
    "recordContact": ("case", "RecordContact"),
    "submitAssessment": ("case", "SubmitAssessment"),
    "reviewAssessment": ("case", "ReviewAssessment"),
    "notifyDecision": ("case", "NotifyDecision"),
    "lodgeAppeal": ("case", "LodgeAppeal"),
    "withdrawCase": ("case", "Withdraw"),
    "closeCase": ("case", "Close"),
    "confirmAbandonment": ("case", "ConfirmAbandonment"),
    "reopenCase": ("case", "Reopen"),
    "assignCase": ("case", "Assign"),
    "assignCases": ("case", "Assign"),
    "putCaseOnHold": ("case", "PutOnHold"),
    "resumeCase": ("case", "Resume"),
    "enrolBiometrics": ("perm", "EnrolBiometrics"),
    "decideDuplicate": ("perm", "AdjudicateBiometrics"),
    "createUser": ("perm", "ManageUsers"),
    "updateUser": ("perm", "ManageUsers"),
    "disableUser": ("perm", "ManageUsers"),
    "enableUser": ("perm", "ManageUsers"),
    "issueResetCode": ("perm", "ManageUsers"),
    "endSession": ("perm", "ManageUsers"),
    "saveOffice": ("perm", "ManageUsers"),
    "updateUnitSettings": ("perm", "ManageUsers"),
    # Needs no login at all, only the one-time code: open to anyone who holds one.
    "setPasswordWithCode": ("signed_in", ""),
    "convertPreRegistration": ("perm", "WritePersons"),
    "dismissPreRegistration": ("perm", "WritePersons"),
    "createAssistanceProgramme": ("perm", "ManageAssistance"),
    "updateAssistanceProgramme": ("perm", "ManageAssistance"),
    "assessEligibility": ("perm", "ManageAssistance"),
    "createDistributionList": ("perm", "ManageAssistance"),
    "addToDistributionList": ("perm", "ManageAssistance"),
    "recordDistribution": ("perm", "ManageAssistance"),
}

ROLE_NAMES = {
    "RegistrationClerk": "registration_clerk", "EligibilityOfficer": "eligibility_officer",
    "Supervisor": "supervisor", "ProtectionOfficer": "protection_officer",
    "UnitAdmin": "unit_admin", "Analyst": "analyst", "AssistanceOfficer": "assistance_officer",
}


def fields_of(sdl, type_name):
    m = re.search(r"^type %s\b[^{]*\{(.*?)^\}" % type_name, sdl, re.S | re.M)
    if not m:
        return []
    body = re.sub(r'"""(.*?)"""', "", m.group(1), flags=re.S)
    names, depth = [], 0
    for line in body.splitlines():
        if depth == 0:
            f = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*[:(]", line)
            if f:
                names.append(f.group(1))
        depth += line.count("(") - line.count(")")
    return names


def match_arms(src, fn_name):
    """The arms `Role::A | Role::B => <body>` of the first match in fn_name, as (roles, body)."""
    start = src.index("fn %s(" % fn_name)
    body = src[start:]
    depth, end = 0, None
    for i, c in enumerate(body):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                end = i
                break
    body = re.sub(r"//[^\n]*", "", body[:end])
    parts = re.split(r"((?:Role::\w+\s*\|?\s*)+)=>", body)
    return [(re.findall(r"Role::(\w+)", parts[i]), parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def main():
    strict = "--strict" in sys.argv
    sdl = open("schema.graphql", encoding="utf-8").read()
    roots = dict(re.findall(r"^\s*(query|mutation):\s*(\w+)", sdl, re.M))
    mutations = fields_of(sdl, roots.get("mutation", "Mutation"))
    docs = "".join(open(p, encoding="utf-8").read() + "\n"
                   for p in glob.glob("tui/**/*.graphql", recursive=True))
    used = set(re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*[({]", docs))

    perms = {}
    for roles, body in match_arms(open("domain/src/access.rs", encoding="utf-8").read(), "permissions"):
        for r in roles:
            perms[r] = set(re.findall(r"\b([A-Z]\w+)\b", body))
    case_kinds = {}
    for roles, body in match_arms(open("domain/src/rsd/guards.rs", encoding="utf-8").read(), "role_allows"):
        allowed = {"*"} if body.strip().startswith("true") else set(re.findall(r"\b([A-Z]\w+)\b", body))
        for r in roles:
            case_kinds[r] = allowed

    unknown = [m for m in mutations if m not in MUTATIONS]
    if unknown:
        print("not in the table of tui/bench/coverage.sh: " + ", ".join(unknown), file=sys.stderr)
        return 2

    def roles_of(m):
        kind, name = MUTATIONS[m]
        if kind == "perm":
            return [ROLE_NAMES[r] for r, p in perms.items() if name in p]
        if kind == "case":
            return [ROLE_NAMES[r] for r, k in case_kinds.items() if "*" in k or name in k]
        return [kind]

    missing = [m for m in mutations if m not in used]
    print(f"mutations: {len(mutations) - len(missing)} of {len(mutations)} reachable from the client")
    needed = []
    for m in missing:
        roles = roles_of(m)
        if not roles:
            print(f"  {m}: no role may call it", file=sys.stderr)
            return 2
        print(f"  no client path: {m:<22} {', '.join(roles)}")
        if roles not in (["developer"], ["signed_in"]):
            needed.append(m)
    if strict and needed:
        print(f"{len(needed)} mutation(s) a working role needs have no client path", file=sys.stderr)
        return 1
    return 0


sys.exit(main())
PY
