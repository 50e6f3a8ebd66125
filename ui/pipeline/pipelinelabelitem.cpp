#include "pipelinelabelitem.h"
#include "pipeline/pipelinenodeitem.h"

#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

namespace rd {

PipelineLabelItem::PipelineLabelItem(Style style, QGraphicsItem *parent) : QGraphicsItem(parent), m_style(style)
{
    setAcceptedMouseButtons(Qt::NoButton);
    setCacheMode(DeviceCoordinateCache);
}

void PipelineLabelItem::setText(const QString &text)
{
    m_text = text;
    setToolTip(text);
    update();
}

void PipelineLabelItem::setBadge(const QString &badge)
{
    m_badge = badge;
    update();
}

void PipelineLabelItem::setSwatch(const QColor &color)
{
    m_swatch = color;
    update();
}

void PipelineLabelItem::setStyle(Style style)
{
    m_style = style;
    update();
}

void PipelineLabelItem::setSize(const QSizeF &size)
{
    if (size == m_size)
        return;
    prepareGeometryChange();
    m_size = size;
}

QRectF PipelineLabelItem::boundingRect() const
{
    return QRectF(QPointF(0, 0), m_size);
}

QFont PipelineLabelItem::textFont(Style style, const QFont &sceneFont)
{
    QFont font = sceneFont;
    if (style == Style::CompactLane)
        font.setPointSizeF(font.pointSizeF() * 0.9);
    else
        font.setBold(true);
    return font;
}

QFont PipelineLabelItem::badgeFont(Style style, const QFont &sceneFont)
{
    QFont font = textFont(style, sceneFont);
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * (style == Style::CompactLane ? 0.85 : 0.8));
    return font;
}

qreal PipelineLabelItem::idealWidth(Style style, const QFont &sceneFont, const QString &text, const QString &badge)
{
    qreal width = QFontMetricsF(textFont(style, sceneFont)).horizontalAdvance(text) + 2;
    if (style == Style::Lane)
        width += FramePaddingLeft + FramePaddingRight;
    if (!badge.isEmpty())
        width += QFontMetricsF(badgeFont(style, sceneFont)).horizontalAdvance(badge) + 10 + BadgeGap;
    return width;
}

void PipelineLabelItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const QFont sceneFont = scene() ? scene()->font() : painter->font();
    const QFont font = textFont(m_style, sceneFont);
    QRectF rect = boundingRect();
    painter->setRenderHint(QPainter::Antialiasing, true);
    if (m_style == Style::Lane) {
        painter->setPen(QPen(QColor(0xc9, 0xcf, 0xd8), 1));
        painter->setBrush(Qt::white);
        painter->drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
        rect.adjust(FramePaddingLeft, 0, -FramePaddingRight, 0);
    }

    if (m_swatch.isValid()) {
        const qreal side = qMin<qreal>(10, rect.height() - 4);
        painter->setPen(Qt::NoPen);
        painter->setBrush(m_swatch);
        painter->drawRoundedRect(QRectF(rect.left(), rect.center().y() - side / 2, side, side), 2, 2);
        rect.setLeft(rect.left() + side + 6);
    }

    if (!m_badge.isEmpty()) {
        const QFont small = badgeFont(m_style, sceneFont);
        const QFontMetricsF metrics(small);
        const qreal height = qMin(rect.height() - 2, metrics.height() + 2);
        const qreal width = metrics.horizontalAdvance(m_badge) + 10;
        const QRectF badgeRect(rect.right() - width, rect.center().y() - height / 2, width, height);
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0xf2, 0xa1, 0x1f));
        painter->drawRoundedRect(badgeRect, height / 2, height / 2);
        painter->setFont(small);
        painter->setPen(Qt::white);
        painter->drawText(badgeRect, Qt::AlignCenter, m_badge);
        rect.setRight(badgeRect.left() - BadgeGap);
    }

    if (QStyleOptionGraphicsItem::levelOfDetailFromTransform(painter->worldTransform()) <
        PipelineNodeItem::MinTextDetail)
        return;
    painter->setFont(font);
    painter->setPen(m_style == Style::CompactLane ? QColor(0x3a, 0x42, 0x4e) : QColor(0x22, 0x29, 0x33));
    const QFontMetricsF metrics(font);
    const QString text = metrics.elidedText(m_text, Qt::ElideRight, rect.width());
    painter->drawText(rect, Qt::AlignLeft | Qt::AlignVCenter, text);
    if (m_style == Style::Header) {
        const qreal x = rect.left() + metrics.horizontalAdvance(text) + 10;
        if (x < rect.right()) {
            painter->setPen(QPen(QColor(0xd5, 0xda, 0xe1), 1));
            painter->drawLine(QPointF(x, rect.center().y()), QPointF(rect.right(), rect.center().y()));
        }
    }
}

} // namespace rd
