#include "pipelinelegenditem.h"
#include "pipeline/pipelinenodeitem.h"

#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QPainter>

namespace rd {

namespace {

constexpr NodeState States[] = {NodeState::Pending, NodeState::Running, NodeState::Succeeded,
                                NodeState::Failed,  NodeState::Skipped, NodeState::Cancelled};
constexpr qreal Height = 20;
constexpr qreal SwatchWidth = 18;
constexpr qreal SwatchHeight = 12;
constexpr qreal Spacing = 18;

} // namespace

PipelineLegendItem::PipelineLegendItem(QGraphicsItem *parent) : QGraphicsItem(parent)
{
    setAcceptedMouseButtons(Qt::NoButton);
    setCacheMode(DeviceCoordinateCache);
}

QFont PipelineLegendItem::legendFont() const
{
    QFont font = scene() ? scene()->font() : QFont();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    return font;
}

QRectF PipelineLegendItem::boundingRect() const
{
    const QFontMetricsF metrics(legendFont());
    qreal width = 0;
    for (NodeState state : States)
        width += SwatchWidth + 6 + metrics.horizontalAdvance(PipelineNodeItem::stateText(state)) + Spacing;
    QFont badgeFont = legendFont();
    badgeFont.setBold(true);
    width += QFontMetricsF(badgeFont).horizontalAdvance(tr("canary")) + 12;
    return QRectF(0, 0, width, Height);
}

void PipelineLegendItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const QFont font = legendFont();
    const QFontMetricsF metrics(font);
    painter->setFont(font);
    painter->setRenderHint(QPainter::Antialiasing, true);
    qreal x = 0;
    for (NodeState state : States) {
        QPen border(PipelineNodeItem::borderColor(state), 1);
        if (PipelineNodeItem::isMuted(state))
            border.setStyle(Qt::DashLine);
        painter->setPen(border);
        painter->setBrush(PipelineNodeItem::fillColor(state));
        painter->drawRoundedRect(QRectF(x + 0.5, (Height - SwatchHeight) / 2, SwatchWidth, SwatchHeight), 3, 3);
        x += SwatchWidth + 6;
        const QString text = PipelineNodeItem::stateText(state);
        painter->setPen(QColor(0x4a, 0x52, 0x5e));
        painter->drawText(QRectF(x, 0, metrics.horizontalAdvance(text) + 1, Height), Qt::AlignLeft | Qt::AlignVCenter,
                          text);
        x += metrics.horizontalAdvance(text) + Spacing;
    }
    QFont badgeFont = font;
    badgeFont.setBold(true);
    const QString canary = tr("canary");
    const QRectF badge(x, (Height - metrics.height() - 2) / 2, QFontMetricsF(badgeFont).horizontalAdvance(canary) + 10,
                       metrics.height() + 2);
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(0xf2, 0xa1, 0x1f));
    painter->drawRoundedRect(badge, badge.height() / 2, badge.height() / 2);
    painter->setFont(badgeFont);
    painter->setPen(Qt::white);
    painter->drawText(badge, Qt::AlignCenter, canary);
}

} // namespace rd
