"""The synthetic sample renderer: truth files, posing maths, floor contact, one tiny render.

The truth-schema tests need only numpy. The others need the ``synth`` extra (torch, anny,
pyrender) and skip without it; the first anny construction builds its cache (~90 s, once).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from formcheck.synth import measures, truth
from formcheck.synth.motion import Timeline, cat_cow, glute_bridge, plank

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TRUTH_FILES = sorted(SAMPLES.glob("*.json"))


# --------------------------------------------------------------------------------------------
# no extra needed
# --------------------------------------------------------------------------------------------
def test_importing_the_package_does_not_import_torch() -> None:
    code = (
        "import sys, formcheck.synth, formcheck.synth.cli, formcheck.synth.render, "
        "formcheck.synth.samples; "
        "print(sorted(m for m in ('torch', 'anny', 'pyrender') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("a", "c", "expected"),
    [
        ((0, 0, 1), (0, 0, -1), 180.0),  # straight
        ((0, 0, 1), (0, -1, 0), 90.0),  # knee forward (front = -y): hip flexed 90
        ((0, 0, 1), (0, 1, -1), 225.0),  # knee behind: hip extended 45 past straight
    ],
)
def test_sagittal_hip_angle_convention(a: tuple, c: tuple, expected: float) -> None:
    got = measures.hip_angle(np.array(a, float), np.zeros(3), np.array(c, float))
    assert got == pytest.approx(expected)


def test_plank_alignment_sign_lying_face_down() -> None:
    # face down (pitch 90): head towards -y, the front of the body faces -z (the floor)
    shoulder, ankle = np.array([0, -0.7, 0.4]), np.array([0, 0.8, 0.1])
    hip_low = np.array([0, 0.0, 0.1])  # below the shoulder-ankle line: sag
    hip_high = np.array([0, 0.0, 0.5])  # above: pike
    assert measures.plank_alignment(shoulder, hip_low, ankle) < -10
    assert measures.plank_alignment(shoulder, hip_high, ankle) > 10


def test_timeline_eases_between_keys_and_holds() -> None:
    tl = Timeline(0.0).to(2.0, 10.0).hold(1.0).to(1.0, 4.0)
    t = np.array([0.0, 1.0, 2.0, 2.5, 3.0, 4.0, 9.0])
    assert tl.sample(t).tolist() == pytest.approx([0, 5, 10, 10, 10, 4, 4])


@pytest.mark.parametrize("fps", [15.0, 60.0])
def test_scripts_do_not_depend_on_fps(fps: float) -> None:
    a, b = glute_bridge(fps=fps, reps=3, seed=4), glute_bridge(fps=30.0, reps=3, seed=4)
    assert [r["start_s"] for r in a.reps] == [r["start_s"] for r in b.reps]
    c = cat_cow(fps=fps, rounds=2, seed=1)
    assert len(c.reps) == 2 and c.reps[0]["peak_s"] < c.reps[0]["cow_s"]
    p = plank(fps=fps, duration=16, fault="sag", fault_from_s=8)
    assert p.faults[0]["onset_s"] == 8 and p.holds[0]["end_s"] < 16


def test_knee_plank_set_up_is_not_itself_a_knee_plank() -> None:
    # outside the scripted hold the shoulder-hip-knee line is well past the pike threshold
    # (hips back over the knees), inside it the line is straight: the truth's hold is the only
    # stretch of knee plank in the clip
    p = plank(fps=30.0, duration=14, knee_plank=True, seed=207)
    (hold,) = p.holds
    pike = 15.0  # the truth's hips_piked threshold (samples/README.md)
    outside = (p.t < 0.8) | (p.t > hold["end_s"] + 1.2)
    inside = (p.t >= hold["start_s"]) & (p.t <= hold["end_s"])
    assert hold["kind"] == "knee_plank"
    assert p.target[outside].min() > 2 * pike
    assert np.abs(p.target[inside]).max() < pike


def test_validate_reports_problems() -> None:
    assert truth.validate({"schema": truth.SCHEMA})[0] == "missing key: video"
    good = {
        "schema": truth.SCHEMA,
        "video": "x.mp4",
        "exercise": "plank",
        "fps": 10.0,
        "width": 64,
        "height": 48,
        "frame_count": 2,
        "duration_s": 0.2,
        "camera_side": "left",
        "render": {},
        "reps": [],
        "holds": [
            {"start_s": 0.0, "end_s": 0.1, "duration_s": 0.1, "good_form_s": 0.1, "kind": "plank"}
        ],
        "faults": [],
        "frames": {k: [0.0, 0.1] for k in truth.FRAME_SERIES}
        | {"joints_px": {j: [[1, 2], [3, 4]] for j in truth.JOINT_NAMES}},
    }
    assert truth.validate(good) == []
    bad = json.loads(json.dumps(good))
    bad["frames"]["hip_angle_deg"] = [1.0]
    bad["holds"][0]["end_s"] = 5.0
    problems = truth.validate(bad)
    assert any("hip_angle_deg" in p for p in problems)
    assert any("holds[0]" in p for p in problems)


def test_there_are_samples() -> None:
    assert len(TRUTH_FILES) >= 12, "samples/ should hold the rendered clips and truth files"


@pytest.mark.parametrize("path", TRUTH_FILES, ids=lambda p: p.stem)
def test_sample_truth_is_valid(path: Path) -> None:
    data = json.loads(path.read_text())
    assert truth.validate(data) == []
    assert (path.parent / data["video"]).exists()
    n = data["frame_count"]
    assert data["frames"]["t_s"][-1] == pytest.approx((n - 1) / data["fps"], abs=1e-3)
    joints = np.asarray([data["frames"]["joints_px"][j] for j in truth.JOINT_NAMES])
    # the person is inside the frame
    assert joints[..., 0].min() > 0 and joints[..., 0].max() < data["width"]
    assert joints[..., 1].min() > 0 and joints[..., 1].max() < data["height"]
    assert data["render"]["max_contact_gap_m"] < 0.01
    script = data["render"]["script"]
    if data["exercise"] == "glute_bridge":
        assert len(data["reps"]) == script["reps"]
        partial = {r["index"] for r in data["reps"] if r["partial"]}
        assert partial == set(script["partial_reps"])
        arched = {r["index"] for r in data["reps"] if r["over_arch"]}
        assert arched == set(script["over_arch_reps"])
    elif data["exercise"] == "cat_cow":
        assert len(data["reps"]) == script["rounds"]
        shallow = {f["round"] for f in data["faults"] if f["type"] == "shallow_range"}
        assert shallow == set(script["shallow_rounds"])
    elif data["exercise"] == "plank":
        assert len(data["holds"]) == 1
        types = {f["type"] for f in data["faults"]}
        expected = {
            "sag": {"hips_sagging"},
            "pike": {"hips_piked"},
            "knees_down": {"knees_down"},
            "none": set(),
        }[script["fault"]]
        assert types == expected
        if expected:
            fault = data["faults"][0]
            assert fault["onset_s"] == pytest.approx(script["fault_from_s"])
            assert fault["start_s"] > fault["onset_s"]
    else:
        assert data["reps"] == [] and data["holds"] == [] and data["faults"] == []


# --------------------------------------------------------------------------------------------
# with the synth extra
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def body():  # type: ignore[no-untyped-def]
    pytest.importorskip("torch")
    pytest.importorskip("anny")
    from formcheck.synth.body import Body

    return Body("average")


@pytest.mark.synth
def test_joint_angles_read_back_from_the_skeleton(body) -> None:  # type: ignore[no-untyped-def]
    ref = body.joints(body.ref_heads[None])
    ch = {"hip_flex_l": 40.0, "knee_flex_l": 70.0, "spine_flex": 0.0}
    posed = body.joints(body.pose(ch, 1, with_vertices=False).heads)
    hip0 = measures.hip_angle(ref["left_shoulder"], ref["left_hip"], ref["left_knee"])
    hip1 = measures.hip_angle(posed["left_shoulder"], posed["left_hip"], posed["left_knee"])
    knee0 = measures.knee_angle(ref["left_hip"], ref["left_knee"], ref["left_ankle"])
    knee1 = measures.knee_angle(posed["left_hip"], posed["left_knee"], posed["left_ankle"])
    # sagittal rotations add exactly: flexing the hip 40 closes the hip angle by 40
    assert (hip0 - hip1).item() == pytest.approx(40.0, abs=0.5)
    assert (knee0 - knee1).item() == pytest.approx(70.0, abs=0.5)
    # the thigh keeps its length and the hip stays put (a rotation about the hip joint)
    thigh0 = np.linalg.norm(ref["left_knee"] - ref["left_hip"])
    thigh1 = np.linalg.norm(posed["left_knee"] - posed["left_hip"])
    assert thigh1.item() == pytest.approx(thigh0.item(), abs=1e-4)
    assert np.allclose(posed["left_hip"], ref["left_hip"], atol=1e-5)
    # the right leg was not touched
    assert np.allclose(posed["right_ankle"], ref["right_ankle"], atol=1e-5)


@pytest.mark.synth
def test_spinal_flexion_spreads_over_the_spine(body) -> None:  # type: ignore[no-untyped-def]
    heads = body.pose({"spine_flex": 30.0}, 1, with_vertices=False).heads[0]
    ref = body.ref_heads
    i5, i1 = body.index["spine05"], body.index["neck01"]
    v0, v1 = ref[i1] - ref[i5], heads[i1] - heads[i5]
    turned = np.degrees(np.arctan2(v1[2], v1[1]) - np.arctan2(v0[2], v0[1]))
    # a chord of a bent chain turns by less than the total bend, but forward (+) and a lot
    assert 10.0 < turned < 30.0


@pytest.mark.synth
@pytest.mark.parametrize("activity", ["glute_bridge", "plank", "cat_cow"])
def test_contacts_rest_on_the_floor(body, activity: str) -> None:  # type: ignore[no-untyped-def]
    from formcheck.synth.placement import place
    from formcheck.synth.render import ClipSpec, make_motion

    spec = ClipSpec(
        activity=activity,
        fault="sag" if activity == "plank" else "none",
        reps=1,
        duration_s=10.0,
        fault_from_s=5.0,
        fps=6.0,
    )
    placed = place(body, make_motion(spec))
    # both contact regions touch the floor (z = 0) in every frame, within 1 cm
    assert np.abs(placed.contact_gap_m).max() < 0.01
    # nothing sinks through the floor
    assert placed.vertices[..., 2].min() > -0.01


@pytest.mark.synth
def test_tiny_render_end_to_end(tmp_path: Path) -> None:
    # the scene module selects OSMesa; it must be imported before pyrender (or OpenGL) is
    import formcheck.synth.scene  # noqa: F401

    pytest.importorskip("pyrender")
    av = pytest.importorskip("av")
    from formcheck.synth.render import ClipSpec, render_clip

    spec = ClipSpec(
        activity="glute_bridge",
        reps=1,
        fps=5.0,
        width=96,
        height=64,
        seed=3,
        extra={"lead_in_s": 0.2},
    )
    out = tmp_path / "tiny.mp4"
    data = render_clip(spec, out)
    assert truth.validate(data) == []
    assert json.loads(out.with_suffix(".json").read_text())["frame_count"] == data["frame_count"]
    with av.open(str(out)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == data["frame_count"]
    assert frames[0].shape == (64, 96, 3)
    # the body is drawn: the frame is not a flat background
    assert np.std(frames[len(frames) // 2]) > 5
    # same spec, same bytes
    again = tmp_path / "again.mp4"
    render_clip(spec, again)
    assert again.read_bytes() == out.read_bytes()


def test_cli_function_rejects_bad_options(tmp_path: Path) -> None:
    from formcheck.errors import FormcheckError
    from formcheck.synth.cli import synth

    with pytest.raises(FormcheckError, match="does not apply"):
        synth(output=tmp_path / "x.mp4", exercise="plank", fault="partial")
    with pytest.raises(FormcheckError, match="640x480"):
        synth(output=tmp_path / "x.mp4", size="big")


def test_cli_function_registers_as_a_typer_command() -> None:
    import typer
    from typer.testing import CliRunner

    from formcheck.synth.cli import synth

    app = typer.Typer()
    app.command("synth")(synth)
    app.command("other")(lambda: None)  # two commands, so "synth" is a subcommand
    result = CliRunner().invoke(app, ["synth", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for option in (
        "--exercise",
        "--fault",
        "--sag-from",
        "--reps",
        "--duration",
        "--side",
        "--camera-height",
        "--body",
        "--fps",
        "--size",
        "--seed",
        "--output",
    ):
        assert option in result.output


# --------------------------------------------------------------------------------------------
# issue 15: cow-first rounds, head drops, a set camera tilt
# --------------------------------------------------------------------------------------------
def test_cow_first_rounds_arch_before_they_round() -> None:
    first = cat_cow(fps=30.0, rounds=4, seed=3)
    cow_first = cat_cow(fps=30.0, rounds=4, seed=3, cow_first=True)
    assert len(cow_first.reps) == len(first.reps) == 4
    for rnd in cow_first.reps:
        assert rnd["start_s"] < rnd["cow_s"] < rnd["peak_s"] < rnd["end_s"]
    for rnd in first.reps:
        assert rnd["start_s"] < rnd["peak_s"] < rnd["cow_s"] < rnd["end_s"]
    # the spine goes to the cow side first
    s = cow_first.channels["spine_flex"]
    moving = np.flatnonzero(np.abs(s) > 5)
    assert s[moving[0]] < 0


def test_head_drop_bends_the_neck_and_is_scripted_as_a_fault() -> None:
    m = plank(fps=30.0, duration=20.0, fault="head_drop", fault_from_s=8.0, head_drop_deg=80.0)
    assert [f["type"] for f in m.faults] == ["head_dropping"]
    neck = m.channels["neck_flex"]
    before = neck[(m.t > 4) & (m.t < 7)].mean()
    during = neck[(m.t > 10) & (m.t < 12)].mean()
    assert during - before == pytest.approx(0.7 * 80.0, abs=3.0)


def test_knees_up_is_a_knee_plank_then_a_forearm_plank() -> None:
    # a knee plank that goes up onto the toes at 8 s: two holds, and the line the renderer
    # keeps straight runs to the knee in the knee plank, to the ankle once on the toes
    m = plank(fps=30.0, duration=20.0, fault="knees_up", fault_from_s=8.0, knee_plank=True)
    assert [(h["kind"], h["start_s"], h["end_s"]) for h in m.holds] == [
        ("knee_plank", pytest.approx(2.8), 8.0),
        ("plank", pytest.approx(9.2), pytest.approx(18.2)),
    ]
    assert m.faults == []
    knee, weight = m.channels["knee_flex_l"], m.target_weight
    assert weight is not None
    on_knees, on_toes = (m.t > 4) & (m.t < 7.9), (m.t > 9.3) & (m.t < 18)
    assert np.allclose(knee[on_knees], 95.0) and np.allclose(knee[on_toes], 0.0)
    assert np.allclose(weight[on_knees], 1.0) and np.allclose(weight[on_toes], 0.0)
    with pytest.raises(ValueError, match="knee plank"):
        plank(fps=30.0, fault="knees_up", fault_from_s=8.0)


def test_cli_function_checks_the_new_options(tmp_path: Path) -> None:
    from formcheck.errors import FormcheckError
    from formcheck.synth.cli import synth

    with pytest.raises(FormcheckError, match="--fault-deg"):
        synth(output=tmp_path / "x.mp4", exercise="plank", fault="knees_down", fault_deg=30.0)
    with pytest.raises(FormcheckError, match="--fault-s"):
        synth(output=tmp_path / "x.mp4", exercise="plank", fault="sag", fault_s=3.0)
    with pytest.raises(FormcheckError, match="--cow-first"):
        synth(output=tmp_path / "x.mp4", exercise="plank", cow_first=True)
    with pytest.raises(FormcheckError, match="--camera-tilt"):
        synth(output=tmp_path / "x.mp4", exercise="plank", camera_tilt=75.0)


@pytest.mark.synth
def test_head_truth_follows_the_neck(body) -> None:  # type: ignore[no-untyped-def]
    from formcheck.synth.placement import place

    for fault, dropped in (("none", False), ("head_drop", True)):
        m = plank(fps=10.0, duration=18.0, fault=fault, fault_from_s=7.0, head_drop_deg=85.0)
        placed = place(body, m)
        joints = body.joints(placed.heads)
        head = truth.side_series(joints, "left")["head_deg"]
        hold = (m.t > 4) & (m.t < 6)
        drop = (m.t > 9) & (m.t < 11)
        assert abs(head[hold].mean()) < 12  # a neutral head sits near the trunk line
        if dropped:
            assert head[drop].mean() > truth.HEAD_DROP_DEG + 5
        else:
            assert head[drop].mean() < truth.HEAD_DROP_DEG - 5


@pytest.mark.synth
def test_a_set_tilt_aims_the_camera_down_by_that_much(body) -> None:  # type: ignore[no-untyped-def]
    from formcheck.synth.placement import place
    from formcheck.synth.render import ClipSpec, fit_camera, make_motion

    spec = ClipSpec(
        activity="plank",
        duration_s=12.0,
        fps=5.0,
        camera_height_m=1.0,
        camera_tilt_deg=22.0,
        fill=0.8,
    )
    placed = place(body, make_motion(spec))
    cam = fit_camera(placed.vertices, spec)
    pos, aim = np.asarray(cam.position), np.asarray(cam.target)
    tilt = np.degrees(np.arctan2(pos[2] - aim[2], np.linalg.norm(pos[:2] - aim[:2])))
    assert tilt == pytest.approx(22.0, abs=0.01)
    px = cam.project(placed.vertices[:, ::50].reshape(-1, 3))
    assert (px[:, 0] > 0).all() and (px[:, 0] < spec.width).all()
    assert (px[:, 1] > 0).all() and (px[:, 1] < spec.height).all()


@pytest.mark.synth
def test_a_tilt_that_frames_the_body_only_from_far_off_is_refused() -> None:
    """A cat-cow from 0.54 m up tilted 12.8 deg down: the body fits the frame only from 8.4 m
    away, 70 px wide in a 640 px frame. That is refused like any tilt that cannot frame the
    body (the validation set then lowers the tilt); 5 deg frames it as asked."""
    from formcheck.synth.body import Body
    from formcheck.synth.placement import place
    from formcheck.synth.render import ClipSpec, SynthError, fit_camera, make_motion

    body = Body("male_older")
    common = dict(
        activity="cat_cow",
        duration_s=20.0,
        fps=5.0,
        side="left",
        camera_height_m=0.54,
        camera_yaw_deg=-4.9,
        fill=0.58,
    )
    spec = ClipSpec(camera_tilt_deg=12.8, **common)  # type: ignore[arg-type]
    placed = place(body, make_motion(spec))
    with pytest.raises(SynthError, match="cannot frame the body"):
        fit_camera(placed.vertices, spec)
    spec = ClipSpec(camera_tilt_deg=5.0, **common)  # type: ignore[arg-type]
    cam = fit_camera(placed.vertices, spec)
    px = cam.project(placed.vertices[:, ::50].reshape(-1, 3))
    assert np.ptp(px[:, 0]) > 0.5 * 0.58 * spec.width  # the body spans a good part of the frame
