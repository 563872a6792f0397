import { describe, expect, it } from 'vitest';
import { describeCpu, parseCpuinfo } from './cpu';

describe('describeCpu / parseCpuinfo', () => {
  it('names the model and the widest vector extension', () => {
    const x86 = 'processor\t: 0\nmodel name\t: AMD EPYC 9R14\nflags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512bw\n\nprocessor\t: 1\n';
    expect(parseCpuinfo(x86)).toEqual({ model: 'AMD EPYC 9R14', vector: 'AVX-512' });
    expect(parseCpuinfo('model name : Intel Xeon\nflags : sse4_2 avx avx2\n').vector).toBe('AVX2');
    expect(parseCpuinfo('processor : 0\nFeatures : fp asimd evtstrm\nCPU part : 0xd0c\n')).toEqual({ model: '0xd0c', vector: 'NEON' });
    expect(parseCpuinfo('')).toEqual({ model: 'unknown', vector: 'unknown' });
  });

  it('describes this machine', () => {
    const cpu = describeCpu();
    expect(cpu.cores).toBeGreaterThan(0);
    expect(cpu.model.length).toBeGreaterThan(0);
  });
});
