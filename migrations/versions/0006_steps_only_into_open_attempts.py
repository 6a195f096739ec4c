"""answer steps go only into attempts in progress (checked by the database, in the insert itself)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 11:10:00

A save reads the attempt, then inserts its steps; a submit or expiry can close the attempt in
between. The trigger makes the insert itself refuse, under the database's own write lock, so a
step can never be stored after the attempt closed (the save is then refused and logged).
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION exam_step_into_open_attempt() RETURNS trigger AS $$
            BEGIN
                IF (SELECT status FROM exam_attempt WHERE id = NEW.attempt_id) IS DISTINCT FROM 'in_progress' THEN
                    RAISE EXCEPTION 'attempt_closed' USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER exam_step_into_open_attempt BEFORE INSERT ON exam_answer_step "
            "FOR EACH ROW EXECUTE FUNCTION exam_step_into_open_attempt()"
        )
    else:
        op.execute(
            """
            CREATE TRIGGER exam_step_into_open_attempt BEFORE INSERT ON exam_answer_step
            WHEN (SELECT status FROM exam_attempt WHERE id = NEW.attempt_id) IS NOT 'in_progress'
            BEGIN
                SELECT RAISE(ABORT, 'attempt_closed');
            END
            """
        )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS exam_step_into_open_attempt" + (
        " ON exam_answer_step" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS exam_step_into_open_attempt()")
