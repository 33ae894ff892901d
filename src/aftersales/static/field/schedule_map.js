/* The map of the day (R12) on Leaflet: the service points, the day's visits (popup: work order,
   customer, engineer, time, state), each engineer's last check-in and route in time order. The data
   is the page's JSON (what GET /api/schedule/map/ returns); the tiles come from MAP_TILE_URL, none
   when it is empty (the positions on a plain background). The SVG the server drew stays the page's
   map until Leaflet has drawn this one, so the positions show without script too; tiles that fail
   to load leave the markers in place, with a note. */
(function () {
  "use strict";

  var container = document.getElementById("schedule-leaflet");
  var source = document.getElementById("schedule-map-data");
  var drawing = document.getElementById("schedule-map-drawing");
  if (!container || !source || !drawing || typeof L === "undefined") return;
  var data = JSON.parse(source.textContent);
  var options = container.dataset;

  /* WGS-84 (what the phones report and the database keeps) to GCJ-02, the shifted coordinates of
     Chinese map providers' tiles (MAP_COORDINATES=gcj02): the published approximation, a few
     hundred metres; outside China nothing is shifted. */
  var AXIS = 6378245.0;
  var ECCENTRICITY_2 = 0.00669342162296594323;

  function shiftLatitude(x, y) {
    var shift = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    shift += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
    shift += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
    shift += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320.0 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
    return shift;
  }

  function shiftLongitude(x, y) {
    var shift = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    shift += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
    shift += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
    shift += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
    return shift;
  }

  function toGcj02(position) {
    var lat = position[0];
    var lon = position[1];
    if (lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271) return [lat, lon];
    var radians = (lat / 180.0) * Math.PI;
    var magic = 1 - ECCENTRICITY_2 * Math.sin(radians) * Math.sin(radians);
    var root = Math.sqrt(magic);
    var dLat = (shiftLatitude(lon - 105.0, lat - 35.0) * 180.0) / (((AXIS * (1 - ECCENTRICITY_2)) / (magic * root)) * Math.PI);
    var dLon = (shiftLongitude(lon - 105.0, lat - 35.0) * 180.0) / ((AXIS / root) * Math.cos(radians) * Math.PI);
    return [lat + dLat, lon + dLon];
  }

  var place = options.coordinates === "gcj02" ? toGcj02 : function (position) { return position; };

  function located(items) {
    return items.filter(function (item) { return item.position; });
  }

  var points = located(data.service_points);
  var checkins = located(data.last_checkins);
  var visits = located(data.visits);
  if (!points.length && !checkins.length && !visits.length) return; // the drawing says so

  /* A popup of lines, each [text] or [text, link]: built as nodes, names never read as HTML. */
  function popup(lines) {
    var box = document.createElement("div");
    box.className = "small";
    lines.forEach(function (line) {
      var row = document.createElement("div");
      var text = row;
      if (line[1]) {
        text = document.createElement("a");
        text.href = line[1];
        row.appendChild(text);
      }
      text.textContent = line[0];
      if (line[2]) row.className = line[2];
      box.appendChild(row);
    });
    return box;
  }

  function timeOf(visit) {
    if (visit.arrived_at) return visit.arrived_at.slice(11, 16); // local time, as the API gives it
    if (!visit.window_start) return "";
    return visit.window_start.slice(0, 5) + (visit.window_end ? "–" + visit.window_end.slice(0, 5) : "");
  }

  function visitLines(visit) {
    var when = timeOf(visit);
    return [
      [visit.work_order.number, visit.work_order.url, "fw-semibold"],
      [visit.customer],
      [visit.engineer.name + (when ? " · " + when : "")],
      [visit.state_label + " · " + visit.number, visit.url],
    ];
  }

  var map = null;

  function marker(item, kind, extraClass, title, lines, html) {
    var at = place(item.position);
    var icon = L.divIcon({
      className: "map-marker map-marker-" + kind + (extraClass ? " " + extraClass : ""),
      iconSize: [18, 18],
      html: html || "",
    });
    var made = L.marker(at, { icon: icon, title: title, alt: title, zIndexOffset: kind === "visit" ? 1000 : 0 });
    made.bindPopup(popup(lines)).addTo(map);
    var element = made.getElement();
    element.dataset.kind = kind;
    element.dataset.position = at[0].toFixed(6) + "," + at[1].toFixed(6);
    return made;
  }

  container.classList.remove("d-none");
  try {
    map = L.map(container, { attributionControl: Boolean(options.tileUrl) });
    // the view first: Leaflet adds layers (and their elements) to a map that has one
    var everything = points.concat(checkins, visits).map(function (item) { return place(item.position); });
    map.fitBounds(L.latLngBounds(everything).pad(0.15), { maxZoom: 15 });
    if (options.tileUrl) {
      var note = document.getElementById("schedule-map-tiles-failed");
      L.tileLayer(options.tileUrl, {
        subdomains: options.tileSubdomains || "abc",
        attribution: options.tileAttribution || "",
        maxZoom: 18,
      })
        .once("tileerror", function () { if (note) note.classList.remove("d-none"); })
        .addTo(map);
    } else {
      container.classList.add("schedule-leaflet-plain");
    }
    data.routes.forEach(function (route, index) {
      L.polyline(route.path.map(place), {
        className: "map-route map-route-" + (index % 6),
        dashArray: "6 4",
        weight: 3,
      })
        .bindTooltip(route.engineer.name)
        .addTo(map);
    });
    points.forEach(function (point) {
      marker(point, "point", "", point.name, [[options.textPoint || ""], [point.name, "", "fw-semibold"]]);
    });
    checkins.forEach(function (visit) {
      var when = visit.arrived_at ? visit.arrived_at.slice(0, 16).replace("T", " ") : "";
      marker(
        visit,
        "checkin",
        "",
        options.textCheckin + ": " + visit.engineer.name,
        [[options.textCheckin + " · " + when, "", "text-body-secondary"], [visit.engineer.name, "", "fw-semibold"]].concat(
          visitLines(visit).slice(0, 2)
        ),
        '<i class="bi bi-person-fill"></i>'
      );
    });
    visits.forEach(function (visit) {
      marker(visit, "visit", "map-state-" + visit.state, visit.number + " " + visit.customer, visitLines(visit));
    });
  } catch (error) {
    // the drawing stays the map
    if (map) map.remove();
    container.classList.add("d-none");
    throw error;
  }
  drawing.classList.add("d-none");
  container.dataset.ready = "1";
})();
