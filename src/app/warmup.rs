//! Keeps a window that redraws only on change drawing until its render pipelines are ready, so
//! that the first screen never stays blank until the first input.
//!
//! Bevy compiles pipelines in the background and forces only five updates at startup. When those
//! updates are quick (the schedules run on one thread), they are over before egui's pipeline is
//! ready, and the window then waits for input with nothing drawn. So the render world counts the
//! frames it drew with no pipeline still compiling, and the main world asks for another frame
//! until there have been a few. A pipeline queued later (a new kind of drawing) starts the count
//! again.

use bevy::prelude::*;
use bevy::render::render_resource::PipelineCache;
use bevy::render::{Render, RenderApp, RenderSystems};
use bevy::window::RequestRedraw;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// Frames drawn with every pipeline ready, shared by the main and the render world.
#[derive(Resource, Clone, Default)]
struct SettledFrames(Arc<AtomicU32>);

/// Settled frames needed before redraws are left to input and change: egui's pipeline is queued
/// on the first frame with egui output, so a single frame with nothing compiling proves nothing.
const SETTLED: u32 = 3;

pub fn plugin(app: &mut App) {
    let settled = SettledFrames::default();
    app.insert_resource(settled.clone())
        .add_systems(Last, redraw_until_settled);
    if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
        render_app
            .insert_resource(settled)
            .add_systems(Render, count_settled_frames.in_set(RenderSystems::Cleanup));
    }
}

fn count_settled_frames(cache: Res<PipelineCache>, settled: Res<SettledFrames>) {
    if cache.waiting_pipelines().next().is_some() {
        settled.0.store(0, Ordering::Relaxed);
    } else {
        let _ = settled
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_add(1))
            });
    }
}

fn redraw_until_settled(settled: Res<SettledFrames>, mut redraw: MessageWriter<RequestRedraw>) {
    if settled.0.load(Ordering::Relaxed) < SETTLED {
        redraw.write(RequestRedraw);
    }
}
