#include "pipelinenodeitem.h"

#include <QCursor>
#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QLocale>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include <algorithm>

namespace rd {

namespace {

QColor mix(const QColor &a, const QColor &b, qreal t)
{
    return QColor::fromRgbF(a.redF() + (b.redF() - a.redF()) * t, a.greenF() + (b.greenF() - a.greenF()) * t,
                            a.blueF() + (b.blueF() - a.blueF()) * t);
}

} // namespace

PipelineNodeItem::PipelineNodeItem(QString server, int stage, QGraphicsItem *parent)
    : QGraphicsItem(parent), m_server(std::move(server)), m_stage(stage)
{
    // Clicks are read by the scene, so a press on a node still lets the view pan.
    setAcceptedMouseButtons(Qt::NoButton);
    setCursor(Qt::PointingHandCursor);
    changed();
}

QSizeF PipelineNodeItem::size(Display display)
{
    switch (display) {
    case Display::Full:
        return {156, 48};
    case Display::Chip:
        return {156, 26};
    case Display::Cell:
        return {18, 12};
    }
    return {};
}

void PipelineNodeItem::setDisplay(Display display)
{
    if (display == m_display)
        return;
    prepareGeometryChange();
    m_display = display;
    changed();
}

void PipelineNodeItem::setState(NodeState state, const QString &detail, qint64 nowMs)
{
    if (state == NodeState::Running) {
        if (m_state != NodeState::Running)
            m_startedMs = nowMs;
        m_durationMs = -1;
        m_nowMs = nowMs;
    } else if (state == NodeState::Pending) {
        m_startedMs = -1;
        m_durationMs = -1;
        m_done = m_total = 0;
    } else if (m_state == NodeState::Running && m_startedMs >= 0) {
        m_durationMs = nowMs - m_startedMs;
        m_startedMs = -1;
    }
    m_state = state;
    m_detail = detail;
    changed();
}

void PipelineNodeItem::restore(NodeState state, qint64 durationMs, const QString &detail)
{
    m_state = state;
    m_durationMs = durationMs;
    m_startedMs = -1;
    m_detail = detail;
    changed();
}

void PipelineNodeItem::setProgress(qint64 done, qint64 total)
{
    m_done = done;
    m_total = total;
    const int percent = total > 0 ? int(std::clamp<qint64>(done * 100 / total, 0, 100)) : -1;
    if (percent == m_percent)
        return;
    m_percent = percent;
    updateToolTip();
    // A running node repaints with the next pulse anyway: thousands of reports a second cost no paint.
    if (m_state != NodeState::Running)
        update();
}

void PipelineNodeItem::tick(qreal pulse, qint64 nowMs)
{
    m_pulse = pulse;
    m_nowMs = nowMs;
    update();
}

QColor PipelineNodeItem::fillColor(NodeState state)
{
    switch (state) {
    case NodeState::Pending:
        return QColor(0xdd, 0xe2, 0xe9);
    case NodeState::Running:
        return QColor(0x2f, 0x74, 0xda);
    case NodeState::Succeeded:
        return QColor(0x2e, 0x9d, 0x5e);
    case NodeState::Failed:
        return QColor(0xd2, 0x44, 0x3f);
    case NodeState::Skipped:
    case NodeState::Cancelled:
        return QColor(0xf4, 0xf5, 0xf7);
    }
    return {};
}

QColor PipelineNodeItem::borderColor(NodeState state)
{
    switch (state) {
    case NodeState::Pending:
        return QColor(0xb4, 0xbc, 0xc8);
    case NodeState::Running:
        return QColor(0x23, 0x5a, 0xae);
    case NodeState::Succeeded:
        return QColor(0x22, 0x78, 0x47);
    case NodeState::Failed:
        return QColor(0xa5, 0x30, 0x2c);
    case NodeState::Skipped:
    case NodeState::Cancelled:
        return QColor(0x9a, 0xa1, 0xac);
    }
    return {};
}

QColor PipelineNodeItem::textColor(NodeState state)
{
    switch (state) {
    case NodeState::Pending:
        return QColor(0x33, 0x3b, 0x47);
    case NodeState::Running:
    case NodeState::Succeeded:
    case NodeState::Failed:
        return Qt::white;
    case NodeState::Skipped:
    case NodeState::Cancelled:
        return QColor(0x7c, 0x84, 0x90);
    }
    return {};
}

QString PipelineNodeItem::stageTitle(int stage)
{
    switch (stage) {
    case 1:
        return tr("01 Start");
    case 2:
        return tr("02 Before download");
    case 3:
        return tr("03 Download");
    case 4:
        return tr("04 Build");
    case 5:
        return tr("05 Package");
    case 6:
        return tr("06 Upload");
    case 7:
        return tr("07 Prepare");
    case 8:
        return tr("08 Release");
    case 9:
        return tr("09 After release");
    case 10:
        return tr("10 Health check");
    }
    return QString::number(stage);
}

QString PipelineNodeItem::stateText(NodeState state)
{
    switch (state) {
    case NodeState::Pending:
        return tr("pending");
    case NodeState::Running:
        return tr("running");
    case NodeState::Succeeded:
        return tr("succeeded");
    case NodeState::Failed:
        return tr("failed");
    case NodeState::Skipped:
        return tr("skipped");
    case NodeState::Cancelled:
        return tr("cancelled");
    }
    return {};
}

QString PipelineNodeItem::durationText(qint64 ms)
{
    if (ms < 0)
        return {};
    if (ms < 10000)
        return tr("%1 s").arg(QLocale().toString(ms / 1000.0, 'f', 1));
    const qint64 seconds = ms / 1000;
    if (seconds < 60)
        return tr("%1 s").arg(seconds);
    if (seconds < 3600)
        return tr("%1 min %2 s").arg(QString::number(seconds / 60), QString::number(seconds % 60));
    return tr("%1 h %2 min").arg(QString::number(seconds / 3600), QString::number(seconds / 60 % 60));
}

QRectF PipelineNodeItem::boundingRect() const
{
    return QRectF(QPointF(0, 0), size(m_display));
}

QString PipelineNodeItem::statusLine() const
{
    if (m_state == NodeState::Running) {
        const QString elapsed = durationText(m_startedMs >= 0 ? qMax<qint64>(0, m_nowMs - m_startedMs) : -1);
        if (m_total > 0)
            return elapsed.isEmpty() ? tr("%1%").arg(m_percent)
                                     : tr("%1% · %2").arg(QString::number(m_percent), elapsed);
        return elapsed.isEmpty() ? stateText(m_state) : tr("%1 · %2").arg(stateText(m_state), elapsed);
    }
    if (m_durationMs >= 0)
        return tr("%1 · %2").arg(stateText(m_state), durationText(m_durationMs));
    return stateText(m_state);
}

QColor PipelineNodeItem::currentFill() const
{
    if (m_state != NodeState::Running)
        return fillColor(m_state);
    return mix(fillColor(NodeState::Running), QColor(0x74, 0xa8, 0xf0), m_pulse);
}

void PipelineNodeItem::paintCell(QPainter *painter, const QRectF &box) const
{
    // Square cells on whole units: sharper, and plain fills are the cheapest thing to draw.
    painter->setRenderHint(QPainter::Antialiasing, false);
    if (isMuted(m_state)) {
        painter->setPen(QPen(borderColor(m_state), 1, Qt::DotLine));
        painter->setBrush(fillColor(m_state));
        painter->drawRect(box.adjusted(0, 0, -1, -1));
        return;
    }
    const bool progress = m_state == NodeState::Running && m_total > 0;
    painter->fillRect(box, borderColor(progress ? NodeState::Pending : m_state));
    const QRectF inner = box.adjusted(1, 1, -1, -1);
    if (progress) {
        // The cell fills up as the package goes out.
        painter->fillRect(inner, fillColor(NodeState::Pending));
        painter->fillRect(QRectF(inner.topLeft(), QSizeF(inner.width() * m_percent / 100.0, inner.height())),
                          currentFill());
    } else {
        painter->fillRect(inner, currentFill());
    }
}

void PipelineNodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    // The view does not save the painter's state around each item (there are hundreds in a large
    // fleet), so every paint sets all it uses.
    const bool muted = isMuted(m_state);
    const bool progress = m_state == NodeState::Running && m_total > 0;
    if (m_display == Display::Cell) {
        paintCell(painter, boundingRect());
        return;
    }

    painter->setRenderHint(QPainter::Antialiasing, true);
    const QRectF outline = boundingRect().adjusted(0.5, 0.5, -0.5, -0.5);
    QPen border(borderColor(m_state), 1);
    if (muted)
        border.setStyle(Qt::DashLine);
    painter->setPen(border);
    painter->setBrush(currentFill());
    const qreal radius = m_display == Display::Full ? 6 : 5;
    painter->drawRoundedRect(outline, radius, radius);
    // Zoomed out this far the text would be a smudge: a coloured box says it all, at a fraction of the cost.
    if (QStyleOptionGraphicsItem::levelOfDetailFromTransform(painter->worldTransform()) < MinTextDetail)
        return;

    QFont titleFont = scene() ? scene()->font() : painter->font();
    titleFont.setBold(true);
    painter->setFont(titleFont);
    painter->setPen(textColor(m_state));
    const qreal pad = 9;
    const QRectF inner = outline.adjusted(pad, 0, -pad, 0);
    if (m_display == Display::Chip) {
        const QString title = QFontMetricsF(titleFont).elidedText(stageTitle(m_stage), Qt::ElideRight, inner.width());
        painter->drawText(inner, Qt::AlignCenter, title);
        return;
    }
    const QRectF titleRect(inner.left(), outline.top() + 4, inner.width(), 20);
    painter->drawText(titleRect, Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetricsF(titleFont).elidedText(stageTitle(m_stage), Qt::ElideRight, inner.width()));

    QFont statusFont = titleFont;
    statusFont.setBold(false);
    statusFont.setPointSizeF(titleFont.pointSizeF() * 0.9);
    painter->setFont(statusFont);
    const QRectF statusRect(inner.left(), titleRect.bottom(), inner.width(), progress ? 14 : 18);
    painter->drawText(statusRect, Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetricsF(statusFont).elidedText(statusLine(), Qt::ElideRight, inner.width()));
    if (progress) {
        const QRectF track(inner.left(), outline.bottom() - 8, inner.width(), 4);
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(255, 255, 255, 80));
        painter->drawRoundedRect(track, 2, 2);
        painter->setBrush(Qt::white);
        painter->drawRoundedRect(QRectF(track.topLeft(), QSizeF(track.width() * m_percent / 100.0, track.height())), 2,
                                 2);
    }
}

void PipelineNodeItem::changed()
{
    // Settled text nodes are cached as pixmaps; running ones repaint with every pulse anyway, and
    // plain cells are cheaper to fill than to blit.
    const bool cache = m_display != Display::Cell && m_state != NodeState::Running;
    setCacheMode(cache ? DeviceCoordinateCache : NoCache);
    updateToolTip();
    update();
}

void PipelineNodeItem::updateToolTip()
{
    QStringList lines;
    const QString title = stageTitle(m_stage);
    lines << (m_server.isEmpty() ? title : tr("%1 on %2").arg(title, m_server));
    lines << tr("State: %1").arg(stateText(m_state));
    if (m_durationMs >= 0)
        lines << tr("Duration: %1").arg(durationText(m_durationMs));
    if (m_total > 0)
        lines << tr("Uploaded: %1 of %2 (%3%)")
                     .arg(QLocale().formattedDataSize(m_done), QLocale().formattedDataSize(m_total),
                          QString::number(m_percent));
    if (!m_detail.isEmpty())
        lines << m_detail;
    lines << (m_server.isEmpty() ? tr("Click to open the task log") : tr("Click to open this server's log"));
    setToolTip(lines.join(u'\n'));
}

} // namespace rd
