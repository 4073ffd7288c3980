//! The cluster drawing: servers, links and messages in SVG, the node menu and the legend.

mod legend;
mod node_menu;
mod view;

pub use legend::Legend;
pub use view::Cluster;
// The queue panel draws its hash ring with the same trigonometry.
pub(crate) use view::cos_sin;
