"""Role codes (fixed English snake_case; the UI translates their labels)."""

from __future__ import annotations

CANDIDATE = "candidate"
LMC_HR = "lmc_hr"
PDO_ADMIN = "pdo_admin"
PROCTOR = "proctor"
COMMISSION_MEMBER = "commission_member"
REGIONAL_OFFICER = "regional_officer"
MINISTRY_VIEWER = "ministry_viewer"
SYSADMIN = "sysadmin"

ROLES = (
    CANDIDATE,
    LMC_HR,
    PDO_ADMIN,
    PROCTOR,
    COMMISSION_MEMBER,
    REGIONAL_OFFICER,
    MINISTRY_VIEWER,
    SYSADMIN,
)

# Roles whose grant must name the organisation they act for.
SCOPED_TO_LMC = {LMC_HR}
SCOPED_TO_REGION = {REGIONAL_OFFICER}
