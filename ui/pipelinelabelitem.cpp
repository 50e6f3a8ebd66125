#include "pipelinelabelitem.h"

#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QPainter>

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

void PipelineLabelItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    QFont font = scene() ? scene()->font() : painter->font();
    QRectF rect = boundingRect();
    if (m_style == Style::Lane) {
        painter->setPen(QPen(QColor(0xc9, 0xcf, 0xd8), 1));
        painter->setBrush(Qt::white);
        painter->drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
        rect.adjust(10, 0, -8, 0);
        font.setBold(true);
    } else if (m_style == Style::CompactLane) {
        font.setPointSizeF(font.pointSizeF() * 0.9);
    } else {
        font.setBold(true);
    }

    if (m_swatch.isValid()) {
        const qreal side = qMin<qreal>(10, rect.height() - 4);
        painter->setPen(Qt::NoPen);
        painter->setBrush(m_swatch);
        painter->drawRoundedRect(QRectF(rect.left(), rect.center().y() - side / 2, side, side), 2, 2);
        rect.setLeft(rect.left() + side + 6);
    }

    QRectF badgeRect;
    if (!m_badge.isEmpty()) {
        QFont badgeFont = font;
        badgeFont.setBold(true);
        badgeFont.setPointSizeF(font.pointSizeF() * (m_style == Style::CompactLane ? 0.85 : 0.8));
        const QFontMetricsF metrics(badgeFont);
        const qreal height = qMin(rect.height() - 2, metrics.height() + 2);
        const qreal width = metrics.horizontalAdvance(m_badge) + 10;
        badgeRect = QRectF(rect.right() - width, rect.center().y() - height / 2, width, height);
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0xf2, 0xa1, 0x1f));
        painter->drawRoundedRect(badgeRect, height / 2, height / 2);
        painter->setFont(badgeFont);
        painter->setPen(Qt::white);
        painter->drawText(badgeRect, Qt::AlignCenter, m_badge);
        rect.setRight(badgeRect.left() - 6);
    }

    painter->setFont(font);
    painter->setPen(m_style == Style::CompactLane ? QColor(0x3a, 0x42, 0x4e) : QColor(0x22, 0x29, 0x33));
    const QFontMetricsF metrics(font);
    const QString text = metrics.elidedText(m_text, Qt::ElideMiddle, rect.width());
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
