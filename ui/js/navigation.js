// Showing the current screen again after a change, without leaving it: the router registers
// how, screens ask for it.

let showScreen = async () => {};

export function onRefresh(show) {
  showScreen = show;
}

/** Shows the current screen again, then puts focus on the element with `focusId`. */
export function refresh(focusId) {
  return showScreen({ focusId });
}
